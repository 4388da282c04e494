// DRAW: the model graph, BPTT, Adam and checkpoints over the C kernels.
import CKernels
