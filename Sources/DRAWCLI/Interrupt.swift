// Interrupt.swift: Ctrl-C (SIGINT) and SIGTERM become a flag the training loop checks between steps.
import Foundation
import Synchronization

/// Set by the signal handler; the loop saves a checkpoint and stops when it sees it.
let interruptRequested = Atomic<Bool>(false)

/// Installs the handlers; a second Ctrl-C while saving is ignored so the checkpoint is finished.
func installInterruptHandlers() {
    for sig in [SIGINT, SIGTERM] {
        signal(sig) { _ in interruptRequested.store(true, ordering: .relaxed) }
    }
}
