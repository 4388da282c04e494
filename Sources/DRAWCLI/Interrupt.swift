// Interrupt.swift: Ctrl-C (SIGINT), SIGTERM and SIGHUP become a value the training loop checks between steps.
import Foundation
import Synchronization

/// The signal that asked the run to stop (0: none); the loop saves a checkpoint and stops when it sees one.
let interruptSignal = Atomic<Int32>(0)

/// Installs the handlers; a second signal while saving is ignored so the checkpoint is finished.
/// The signals are also unblocked: a parent may have started us with them blocked (masks are inherited).
func installInterruptHandlers() {
    var set = sigset_t()
    sigemptyset(&set)
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        signal(sig) { received in _ = interruptSignal.compareExchange(expected: 0, desired: received, ordering: .relaxed) }
        sigaddset(&set, sig)
    }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}

/// The exit status of a run stopped by `signal`: 128 + the signal number, as a shell reports it (130, 143, 129).
func exitStatus(afterSignal signal: Int32) -> Int32 { 128 + signal }

func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGINT: "SIGINT (Ctrl-C)"
    case SIGTERM: "SIGTERM"
    case SIGHUP: "SIGHUP"
    default: "signal \(signal)"
    }
}
