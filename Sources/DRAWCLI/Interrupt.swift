// Interrupt.swift: Ctrl-C (SIGINT) and SIGTERM become a flag the training loop checks between steps.
import Foundation
import Synchronization

/// Set by the signal handler; the loop saves a checkpoint and stops when it sees it.
let interruptRequested = Atomic<Bool>(false)

/// Installs the handlers; a second Ctrl-C while saving is ignored so the checkpoint is finished.
/// The signals are also unblocked: a parent may have started us with them blocked (masks are inherited).
func installInterruptHandlers() {
    var set = sigset_t()
    sigemptyset(&set)
    for sig in [SIGINT, SIGTERM] {
        signal(sig) { _ in interruptRequested.store(true, ordering: .relaxed) }
        sigaddset(&set, sig)
    }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}
