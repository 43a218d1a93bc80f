using System.Globalization;

namespace SkyServe.Cli.Sim;

/// <summary>Number formats of the sim reports (invariant culture).</summary>
internal static class SimFormat
{
    public static string Percent(double fraction, int decimals = 2) =>
        double.IsNaN(fraction) ? "-" : (fraction * 100).ToString("F" + decimals, CultureInfo.InvariantCulture);

    public static string Number(double value, int decimals = 1) =>
        double.IsNaN(value) ? "-" : value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
