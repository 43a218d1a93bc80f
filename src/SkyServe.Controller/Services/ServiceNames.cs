using System.Text.RegularExpressions;

namespace SkyServe.Controller.Services;

/// <summary>
/// Service names become host names (NAME.domain) and tags on cloud machines, so they follow the
/// DNS-label rule: lower-case letters, digits and '-', starting with a letter, at most 63 characters.
/// </summary>
public static partial class ServiceNames
{
    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex Valid();

    public static void Validate(string name)
    {
        if (!Valid().IsMatch(name))
            throw new InvalidRequestException(
                $"invalid service name '{name}': use lower-case letters, digits and '-', start with a letter, end with a letter or digit, at most 63 characters");
    }

    public static string Generate() => $"service-{Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 3).ToLowerInvariant()}";
}
