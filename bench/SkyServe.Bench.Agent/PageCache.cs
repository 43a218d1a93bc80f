using System.Diagnostics;

namespace SkyServe.Bench.Agent;

/// <summary>Drops the kernel's page cache (root only) so a read measures the disk, not memory.</summary>
public static class PageCache
{
    public static bool TryDrop()
    {
        try
        {
            using (var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!)
                sync.WaitForExit();
            File.WriteAllText("/proc/sys/vm/drop_caches", "3");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
