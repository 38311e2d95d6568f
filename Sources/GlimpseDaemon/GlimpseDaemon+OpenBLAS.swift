import GlimpseCLIP

extension GlimpseDaemon {
    /// Re-executes the process once with OPENBLAS_CORETYPE set when OpenBLAS fell back to its generic kernels on a
    /// CPU model it does not know (the CLIP towers' sgemm is then 4–5× slower; see `CLIPVisionTower`). Call first
    /// thing in `main`.
    public static func reexecuteIfOpenBLASKernelsAreGeneric() {
        CLIPVisionTower.reexecuteIfOpenBLASKernelsAreGeneric()
    }
}
