using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// A file mapped read-only into memory (Linux mmap, MAP_PRIVATE): the engine computes from the page cache's own pages,
/// so loading from a warm page cache copies nothing. <see cref="Open"/> faults every page in before it returns
/// (madvise MADV_POPULATE_READ, which waits for the disk; MAP_POPULATE does not wait for pages still being read, and
/// kernels before 5.14 get a read of one byte per page), so a loaded model is resident either way and no request pays
/// for its first touch.
/// </summary>
internal sealed unsafe partial class MappedFile : IDisposable
{
    private const int ProtRead = 1;
    private const int MapPrivate = 0x02;
    private const int MadvisePopulateRead = 22;

    private nint address;

    private MappedFile(nint address, long length)
    {
        this.address = address;
        Length = length;
        ReadableLength = (length + Environment.SystemPageSize - 1) / Environment.SystemPageSize * Environment.SystemPageSize;
    }

    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    public byte* Pointer => (byte*)address;
    public long Length { get; }

    /// <summary>Bytes that may be read from <see cref="Pointer"/>: the file rounded up to whole pages (zeros past its end).</summary>
    public long ReadableLength { get; }

    public static MappedFile Open(SafeFileHandle handle, long length, string path)
    {
        var mapped = Mmap(0, (nuint)length, ProtRead, MapPrivate, (int)handle.DangerousGetHandle(), 0);
        if (mapped == -1)
            throw new IOException($"cannot map {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        var file = new MappedFile(mapped, length);
        if (Madvise(mapped, (nuint)length, MadvisePopulateRead) != 0)
            file.TouchEveryPage();
        return file;
    }

    private void TouchEveryPage()
    {
        var page = Environment.SystemPageSize;
        var sum = 0;
        for (long offset = 0; offset < Length; offset += page)
            sum += Volatile.Read(ref Pointer[offset]);
        GC.KeepAlive(sum);
    }

    public void Dispose()
    {
        var mapped = Interlocked.Exchange(ref address, 0);
        if (mapped != 0)
            _ = Munmap(mapped, (nuint)Length);
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);
}
