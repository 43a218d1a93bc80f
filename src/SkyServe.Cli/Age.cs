namespace SkyServe.Cli;

internal static class Age
{
    /// <summary>"42s", "7m", "3h", "2d": how long ago, in the largest unit that fits.</summary>
    public static string Since(DateTime? at, DateTime now)
    {
        if (at is null)
            return "-";
        var span = now - at.Value;
        return span.TotalSeconds < 60 ? $"{Math.Max(0, (int)span.TotalSeconds)}s"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes}m"
            : span.TotalHours < 48 ? $"{(int)span.TotalHours}h"
            : $"{(int)span.TotalDays}d";
    }
}
