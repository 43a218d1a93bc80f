using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SkyServe.Inference.Checkpoints;

/// <summary>Linux O_DIRECT reads: the page cache is bypassed, so buffers, offsets and lengths must be block-aligned.</summary>
internal static partial class DirectIo
{
    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;

    public static bool IsSupported => OperatingSystem.IsLinux() && DirectFlag != 0;

    private static int DirectFlag => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x4000,
        Architecture.Arm64 => 0x10000,
        _ => 0,
    };

    public static SafeFileHandle Open(string path)
    {
        var fd = OpenFile(path, ReadOnly | CloseOnExec | DirectFlag);
        if (fd < 0)
            throw new IOException($"cannot open {path} with O_DIRECT: errno {Marshal.GetLastPInvokeError()}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags);
}
