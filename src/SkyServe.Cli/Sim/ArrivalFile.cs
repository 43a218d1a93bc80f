using System.Globalization;

namespace SkyServe.Cli.Sim;

/// <summary>
/// A request trace to replay: one arrival time per line, in seconds from the start of the measured period (a CSV line's
/// first field counts; blank lines, lines starting with <c>#</c> and a non-numeric header line are skipped).
/// </summary>
internal static class ArrivalFile
{
    public static IReadOnlyList<double> Read(string path)
    {
        if (!File.Exists(path))
            throw new SimUsageException($"--arrivals: no such file: {path}");
        var times = new List<double>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var field = line.Split(',')[0].Trim();
            if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var time) || double.IsNaN(time) || double.IsInfinity(time))
            {
                if (number == 1)
                    continue; // a header
                throw new SimUsageException($"--arrivals: {path} line {number}: '{field}' is not a time in seconds");
            }
            if (time < 0)
                throw new SimUsageException($"--arrivals: {path} line {number}: a time cannot be negative ({field})");
            times.Add(time);
        }
        if (times.Count == 0)
            throw new SimUsageException($"--arrivals: {path} holds no arrival times");
        return times;
    }
}
