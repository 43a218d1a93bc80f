using System.Diagnostics;
using System.Globalization;

namespace SkyServe.Core.Simulation.Optimum;

/// <summary>
/// Solves an LP file with COIN-OR CBC (Debian package <c>coinor-cbc</c>): <c>cbc model.lp sec S solve solu out.txt</c>,
/// then reads the solution file (a status line, then <c>index name value reduced-cost</c> for the non-zero variables).
/// </summary>
public sealed class CbcSolver(string executable)
{
    public string Executable { get; } = executable;

    /// <summary>The <c>cbc</c> found on PATH, or null.</summary>
    public static CbcSolver? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "cbc");
            if (File.Exists(candidate))
                return new CbcSolver(candidate);
        }
        return null;
    }

    public IntegerProgramSolution Solve(string lp, int timeLimitSeconds)
    {
        var folder = Directory.CreateTempSubdirectory("skyserve-sim-");
        try
        {
            var model = Path.Combine(folder.FullName, "model.lp");
            var solution = Path.Combine(folder.FullName, "solution.txt");
            File.WriteAllText(model, lp);
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = folder.FullName,
            };
            foreach (var argument in new[] { model, "sec", timeLimitSeconds.ToString(CultureInfo.InvariantCulture), "solve", "solu", solution })
                start.ArgumentList.Add(argument);
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(timeLimitSeconds + 60)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"cbc did not stop within {timeLimitSeconds + 60} s");
            }
            watch.Stop();
            if (!File.Exists(solution))
                throw new InvalidOperationException($"cbc wrote no solution (exit code {process.ExitCode}): {Tail(stdout.Result + stderr.Result)}");
            return Parse(File.ReadAllLines(solution), watch.Elapsed);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Reads CBC's solution file.</summary>
    public static IntegerProgramSolution Parse(IReadOnlyList<string> lines, TimeSpan elapsed)
    {
        var statusLine = lines.Count > 0 ? lines[0].Trim() : "";
        var objective = double.NaN;
        var marker = statusLine.IndexOf("objective value", StringComparison.Ordinal);
        if (marker >= 0)
            double.TryParse(statusLine[(marker + "objective value".Length)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out objective);
        var status = statusLine.StartsWith("Optimal", StringComparison.Ordinal) ? SolverStatus.Optimal
            : statusLine.StartsWith("Stopped", StringComparison.Ordinal) && !double.IsNaN(objective) && !statusLine.Contains("no integer", StringComparison.OrdinalIgnoreCase) ? SolverStatus.Feasible
            : SolverStatus.NoSolution;
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // "**" marks a value outside its bounds in an infeasible solution; index, name, value, reduced cost.
            var offset = parts.Length > 0 && parts[0] == "**" ? 1 : 0;
            if (parts.Length >= offset + 3 && double.TryParse(parts[offset + 2], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                values[parts[offset + 1]] = value;
        }
        return new IntegerProgramSolution(status, objective, values, statusLine, elapsed);
    }

    private static string Tail(string text) => text.Length <= 400 ? text.Trim() : text[^400..].Trim();
}
