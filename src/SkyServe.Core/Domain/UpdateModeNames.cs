namespace SkyServe.Core.Domain;

/// <summary>The wire names of <see cref="UpdateMode"/>, as SkyPilot's `sky serve update --mode` spells them.</summary>
public static class UpdateModeNames
{
    public const string Rolling = "rolling";
    public const string BlueGreen = "blue_green";

    public static string ToWire(this UpdateMode mode) => mode == UpdateMode.BlueGreen ? BlueGreen : Rolling;

    public static bool TryParse(string? text, out UpdateMode mode)
    {
        mode = UpdateMode.Rolling;
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or Rolling: return true;
            case BlueGreen or "blue-green": mode = UpdateMode.BlueGreen; return true;
            default: return false;
        }
    }
}
