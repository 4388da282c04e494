// EventFileReader.swift: reads back an event file (framing, CRCs, Event protobufs): for tests and tools.
import Foundation
import SwiftProtobuf

/// One Event of a file, with the parts `TensorBoardWriter` writes.
public struct TensorBoardEvent: Sendable, Equatable {
    public struct Image: Sendable, Equatable {
        public let tag: String
        public let width: Int
        public let height: Int
        public let colorspace: Int
        public let png: Data
    }

    public let wallTime: Double
    public let step: Int
    /// Set on the file's first event only.
    public let fileVersion: String?
    public let scalars: [String: Float]
    public let images: [Image]
}

public enum EventFileReader {
    /// Every event of `path`, in order; throws `TensorBoardError.corrupt` on a bad CRC, a truncated record or
    /// a record that does not decode.
    public static func read(_ path: String) throws -> [TensorBoardEvent] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TensorBoardError.corrupt(path: path, offset: 0, detail: "unreadable: \(error.localizedDescription)")
        }
        return try TFRecord.records(in: data, path: path).enumerated().map { i, record in
            let e: Tensorboard_Event
            do { e = try Tensorboard_Event(serializedBytes: record) } catch {
                throw TensorBoardError.corrupt(path: path, offset: 0, detail: "record \(i) is not an Event: \(error)")
            }
            var scalars: [String: Float] = [:]
            var images: [TensorBoardEvent.Image] = []
            for v in e.summary.value {
                switch v.value {
                case .simpleValue(let x): scalars[v.tag] = x
                case .image(let im):
                    images.append(.init(tag: v.tag, width: Int(im.width), height: Int(im.height),
                                        colorspace: Int(im.colorspace), png: im.encodedImageString))
                case nil: break
                }
            }
            return TensorBoardEvent(wallTime: e.wallTime, step: Int(e.step),
                                    fileVersion: e.fileVersion.isEmpty ? nil : e.fileVersion,
                                    scalars: scalars, images: images)
        }
    }
}
