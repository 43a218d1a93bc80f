namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// How <see cref="PackedCheckpoint.LoadAll"/> reads. The defaults are what bench/agent.sh measured best on a 2-core VM
/// with a virtio disk: from disk one or two readers match a plain sequential read, from the page cache two beat one by
/// ~1.5x; O_DIRECT (no kernel read-ahead, a bounce copy) was slower at every reader count tried.
/// </summary>
/// <param name="Readers">Threads reading pieces in file order; 0 for one per core, at most <see cref="MaxDefaultReaders"/>.</param>
/// <param name="ChunkBytes">Bytes per read call (rounded up to the alignment).</param>
/// <param name="DirectIo">Bypass the page cache (O_DIRECT on Linux) through an aligned buffer; ignored elsewhere.</param>
/// <param name="Map">Map the file and compute from it in place (Linux; not with <paramref name="DirectIo"/>): from the page
/// cache nothing is copied, from disk the mapping is populated at read speed. False: read into arrays.</param>
public sealed record PackedLoadOptions(int Readers = 0, int ChunkBytes = 8 << 20, bool DirectIo = false, bool Map = true)
{
    public const int MaxDefaultReaders = 4;
}
