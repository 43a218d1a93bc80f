namespace SkyServe.Core.Spec;

/// <summary>The spec names of <see cref="SpotPlacer"/>.</summary>
public static class SpotPlacerNames
{
    public const string DynamicFallback = "dynamic_fallback";
    public const string HedgePlus = "hedge_plus";

    public static IReadOnlyList<string> All { get; } = [DynamicFallback, HedgePlus];

    public static string ToSpecName(this SpotPlacer placer) =>
        placer == SpotPlacer.HedgePlus ? HedgePlus : DynamicFallback;

    /// <summary>Case-insensitive, as SkyPilot's schema (<c>case_insensitive_enum</c>).</summary>
    public static bool TryParse(string? text, out SpotPlacer placer)
    {
        placer = SpotPlacer.DynamicFallback;
        switch (text?.Trim().ToLowerInvariant())
        {
            case DynamicFallback: return true;
            case HedgePlus: placer = SpotPlacer.HedgePlus; return true;
            default: return false;
        }
    }
}
