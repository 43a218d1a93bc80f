using System.Runtime.InteropServices;

namespace SkyServe.Inference.Checkpoints;

/// <summary>Native memory aligned to the packed layout's alignment, as O_DIRECT reads need.</summary>
internal sealed unsafe class AlignedBuffer(int length) : IDisposable
{
    private void* memory = length == 0 ? null : NativeMemory.AlignedAlloc((nuint)length, PackedCheckpointFormat.Alignment);

    public Span<byte> Span => new(memory, length);

    public void Dispose()
    {
        if (memory is not null)
            NativeMemory.AlignedFree(memory);
        memory = null;
    }
}
