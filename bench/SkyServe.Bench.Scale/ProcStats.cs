using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace SkyServe.Bench.Scale;

/// <summary>A process's CPU time and resident memory from /proc (Linux).</summary>
public static class ProcStats
{
    private static readonly long TicksPerSecond = ClockTicks();

    /// <summary>utime + stime of <paramref name="pid"/> in seconds (/proc/PID/stat fields 14 and 15), or null when it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture); // field 14
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture); // field 15
            return (utime + stime) / (double)TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>VmRSS of <paramref name="pid"/> in MB (10^6 bytes), or null.</summary>
    public static double? RssMegabytes(int pid) => StatusKilobytes(pid, "VmRSS:") is { } kb ? kb * 1024 / 1e6 : null;

    private static long? StatusKilobytes(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return null;
    }

    /// <summary>A window's CPU use: the share of one core a process used between two readings.</summary>
    public sealed class CpuWindow(int pid)
    {
        private readonly double? start = CpuSeconds(pid);
        private readonly Stopwatch clock = Stopwatch.StartNew();

        public double? Share() => CpuSeconds(pid) is { } end && start is { } begin ? (end - begin) / clock.Elapsed.TotalSeconds : null;
    }

    private static long ClockTicks()
    {
        try
        {
            var ticks = Sysconf(2); // _SC_CLK_TCK
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long Sysconf(int name);
}
