using System.Text.RegularExpressions;

namespace SkyServe.Providers.Boot;

/// <summary>What the first-boot scripts of every cloud need to write values from a launch into bash safely.</summary>
public static partial class ShellWords
{
    /// <summary>POSIX shell single quoting: the value comes through byte for byte.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Refuses (InvalidRequest) an environment variable name a shell cannot hold, before anything is sent to a cloud.</summary>
    public static void RequireVariableNames(IEnumerable<string> names)
    {
        foreach (var name in names)
            if (!VariableName().IsMatch(name))
                throw new CloudProviderException(CloudErrorKind.InvalidRequest,
                    $"'{name}' is not a valid environment variable name for the replica agent (letters, digits and '_', not starting with a digit)");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();
}
