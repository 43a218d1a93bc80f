using System.Text.RegularExpressions;

namespace SkyServe.Core.Spec;

/// <summary>
/// Rules for the spec's <c>labels</c> beyond the spec's own name pattern: SkyServe's ownership tags are reserved, and
/// GCP allows only short lower-case labels (it would refuse the launch otherwise).
/// </summary>
public static partial class MachineLabels
{
    /// <summary>The prefix of the tags and container labels SkyServe finds its machines by; a label may not pose as one.</summary>
    public const string ReservedPrefix = "skyserve";

    /// <summary>Why a label can go on no machine, or null.</summary>
    public static string? Problem(string key) =>
        key.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase)
            ? $"label '{key}': keys starting with '{ReservedPrefix}' are reserved for SkyServe's own machine tags"
            : null;

    /// <summary>Why GCP would refuse the label, or null: keys start with a lower-case letter; keys and values are up to 63 lower-case letters, digits, '-' and '_'.</summary>
    public static string? GcpProblem(string key, string value)
    {
        if (!GcpKey().IsMatch(key))
            return $"label '{key}' is not a valid GCP label key: lower-case letters, digits, '-' and '_', starting with a letter, at most 63 characters";
        if (!GcpValue().IsMatch(value))
            return $"label '{key}' has value '{value}', not a valid GCP label value: lower-case letters, digits, '-' and '_', at most 63 characters";
        return null;
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex GcpKey();

    [GeneratedRegex("^[a-z0-9_-]{0,63}$")]
    private static partial Regex GcpValue();
}
