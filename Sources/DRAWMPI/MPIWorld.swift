// MPIWorld.swift: Open MPI loaded at run time with dlopen, so DRAW builds and runs without it installed.
import Foundation

/// Why the MPI world could not be joined.
public struct MPIError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The processes of one `mpirun` job. `MPIWorld.join()` returns nil when this process was not started by
/// mpirun (no rank variables in the environment): the tool then runs as a single process and never touches
/// libmpi. Collective calls must be made by every rank in the same order.
public final class MPIWorld: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// The library that was loaded, for logs.
    public let library: String
    private let api: OpenMPIAPI

    /// Joins the job this process was launched into, or returns nil for a plain launch.
    /// Throws when mpirun started us but libmpi cannot be loaded or initialised.
    public static func join() throws -> MPIWorld? {
        let env = ProcessInfo.processInfo.environment
        guard let sizeText = env["OMPI_COMM_WORLD_SIZE"] ?? env["PMIX_SIZE"], let declared = Int(sizeText) else {
            return nil
        }
        let api = try OpenMPIAPI.load()
        var provided: Int32 = 0
        // MPI_THREAD_FUNNELED (1): only the main thread calls MPI; OpenMP and the data thread never do.
        var rc = api.initThread(nil, nil, 1, &provided)
        guard rc == 0 else { throw MPIError(description: "MPI_Init_thread failed with code \(rc)") }
        var rank: Int32 = 0, size: Int32 = 0
        rc = api.commRank(api.commWorld, &rank)
        guard rc == 0 else { throw MPIError(description: "MPI_Comm_rank failed with code \(rc)") }
        rc = api.commSize(api.commWorld, &size)
        guard rc == 0 else { throw MPIError(description: "MPI_Comm_size failed with code \(rc)") }
        guard Int(size) == declared else {
            throw MPIError(description: "MPI world has \(size) ranks but OMPI_COMM_WORLD_SIZE says \(declared)")
        }
        return MPIWorld(rank: Int(rank), size: Int(size), library: api.path, api: api)
    }

    private init(rank: Int, size: Int, library: String, api: OpenMPIAPI) {
        self.rank = rank; self.size = size; self.library = library; self.api = api
    }

    public var isRoot: Bool { rank == 0 }

    /// In-place sum over ranks of `count` floats.
    public func allreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {
        try check(api.allreduce(OpenMPIAPI.inPlace, buffer, Int32(count), api.float, api.sum, api.commWorld),
                  "MPI_Allreduce of \(count) floats")
    }

    /// In-place sum over ranks of doubles (loss statistics).
    public func allreduceSum(_ values: inout [Double]) throws {
        let n = Int32(values.count)
        let rc = values.withUnsafeMutableBufferPointer {
            api.allreduce(OpenMPIAPI.inPlace, $0.baseAddress!, n, api.double, api.sum, api.commWorld)
        }
        try check(rc, "MPI_Allreduce of \(n) doubles")
    }

    /// Copies `count` bytes from rank `root` to every rank.
    public func broadcast(_ buffer: UnsafeMutableRawPointer, bytes: Int, root: Int = 0) throws {
        try check(api.bcast(buffer, Int32(bytes), api.byte, Int32(root), api.commWorld), "MPI_Bcast of \(bytes) bytes")
    }


    /// Ends MPI; call once, after the last collective.
    public func finalize() { _ = api.finalize() }

    /// Aborts every rank (used when one rank fails, so the others do not wait forever in a collective).
    public func abort(code: Int32) -> Never {
        _ = api.abort(api.commWorld, code)
        exit(code)
    }

    private func check(_ rc: Int32, _ what: String) throws {
        guard rc == 0 else { throw MPIError(description: "\(what) failed with code \(rc) on rank \(rank)") }
    }
}

/// The handful of Open MPI entry points and predefined handles DRAW uses. Open MPI's handles are the
/// addresses of exported globals (MPI_COMM_WORLD is &ompi_mpi_comm_world), so dlsym finds them too.
struct OpenMPIAPI {
    typealias Handle = UnsafeMutableRawPointer
    static var inPlace: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: 1)! }  // MPI_IN_PLACE

    let path: String
    let commWorld, float, double, byte, sum: Handle
    let initThread: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32,
                                    UnsafeMutablePointer<Int32>) -> Int32
    let commRank, commSize: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    let allreduce: @convention(c) (UnsafeRawPointer, UnsafeMutableRawPointer, Int32, Handle, Handle, Handle) -> Int32
    let bcast: @convention(c) (UnsafeMutableRawPointer, Int32, Handle, Int32, Handle) -> Int32
    let finalize: @convention(c) () -> Int32
    let abort: @convention(c) (Handle, Int32) -> Int32

    static let candidates = ["libmpi.so.40", "libmpi.so"]

    static func load() throws -> OpenMPIAPI {
        var lib: UnsafeMutableRawPointer?
        var path = ""
        // RTLD_GLOBAL: Open MPI's own plugins resolve symbols of libmpi when they are loaded.
        for name in candidates {
            if let h = dlopen(name, RTLD_NOW | RTLD_GLOBAL) { lib = h; path = name; break }
        }
        guard let lib else {
            let why = dlerror().map { String(cString: $0) } ?? "not found"
            throw MPIError(description: "started by mpirun but Open MPI's libmpi could not be loaded (\(why)); "
                + "install it with: apt-get install openmpi-bin libopenmpi3")
        }
        func sym(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let p = dlsym(lib, name) else {
                throw MPIError(description: "\(path) has no symbol \(name): is it Open MPI?")
            }
            return p
        }
        func fn<F>(_ name: String, _ type: F.Type) throws -> F { unsafeBitCast(try sym(name), to: type) }
        return OpenMPIAPI(
            path: path,
            commWorld: try sym("ompi_mpi_comm_world"), float: try sym("ompi_mpi_float"),
            double: try sym("ompi_mpi_double"), byte: try sym("ompi_mpi_byte"), sum: try sym("ompi_mpi_op_sum"),
            initThread: try fn("MPI_Init_thread", (@convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?,
                                                                   Int32, UnsafeMutablePointer<Int32>) -> Int32).self),
            commRank: try fn("MPI_Comm_rank", (@convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32).self),
            commSize: try fn("MPI_Comm_size", (@convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32).self),
            allreduce: try fn("MPI_Allreduce", (@convention(c) (UnsafeRawPointer, UnsafeMutableRawPointer, Int32,
                                                                Handle, Handle, Handle) -> Int32).self),
            bcast: try fn("MPI_Bcast", (@convention(c) (UnsafeMutableRawPointer, Int32, Handle, Int32, Handle) -> Int32).self),
            finalize: try fn("MPI_Finalize", (@convention(c) () -> Int32).self),
            abort: try fn("MPI_Abort", (@convention(c) (Handle, Int32) -> Int32).self))
    }
}
