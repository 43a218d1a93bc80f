using System.Diagnostics;
using Xunit;

namespace SkyServe.Testing;

/// <summary>
/// Prometheus' own checker of the text exposition format: <c>promtool check metrics</c>, from Debian's
/// <c>prometheus</c> package (tests/run.sh installs it). It exits non-zero on format errors and on lint problems
/// (missing HELP, counters without _total, non-base units, ...), and both fail the tests.
/// </summary>
public static class Promtool
{
    private static readonly string[] Locations = ["/usr/bin/promtool", "/usr/local/bin/promtool"];

    /// <summary>Fails the test, printing promtool's output, unless <paramref name="exposition"/> passes the check.</summary>
    public static async Task AssertCheckMetricsPassesAsync(string exposition)
    {
        var promtool = Locations.FirstOrDefault(File.Exists)
            ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "promtool")).FirstOrDefault(File.Exists);
        if (promtool is null)
            Assert.Fail("promtool is not installed: the metrics format check needs it (apt-get install prometheus; tests/run.sh installs it)");

        var info = new ProcessStartInfo(promtool)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add("check");
        info.ArgumentList.Add("metrics");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var output = (await stdout + await stderr).Trim();
        Assert.True(process.ExitCode == 0,
            $"promtool check metrics exited {process.ExitCode}:\n{output}\n--- the exposition it checked ---\n{exposition}");
    }
}
