using System.Globalization;

namespace SkyServe.Core.Traces;

/// <summary>The availability correlation of two traces of one set (see <see cref="TraceStatistics.AvailabilityCorrelation"/>).</summary>
/// <param name="First">Trace name (file name without extension).</param>
/// <param name="Second">Trace name.</param>
/// <param name="SameZone">Both traces are of one zone (e.g. two GPU types in AWS-2022-2zone).</param>
/// <param name="SameRegion">Both zones are in one region (<see cref="ZoneRegion.Of"/>).</param>
/// <param name="Correlation">Null when either trace is constant over the shared samples.</param>
public sealed record TracePairCorrelation(string First, string Second, bool SameZone, bool SameRegion, double? Correlation)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{First} ~ {Second}{(SameZone ? " (same zone)" : SameRegion ? " (same region)" : "")}: {(Correlation is { } c ? c.ToString("F2", CultureInfo.InvariantCulture) : "undefined")}");
}
