using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SkyServe.Providers.Azure;

/// <summary>Names Azure resources get from a launch, and the zone form of the catalog.</summary>
internal static partial class AzureNames
{
    /// <summary>The tag carrying the launch's client token (Azure has no request idempotency for VMs; the name and this tag are it).</summary>
    public const string ClientTokenTag = "skyserve-client-token";

    /// <summary><c>ss-</c> and 20 hex digits of the token's hash: a valid VM and computer name, the same for every retry.</summary>
    public static string Vm(string clientToken) =>
        "ss-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientToken)))[..20];

    /// <summary>The catalog writes zones as <c>eastus-1</c> (AKS's topology label); ARM wants <c>1</c>. Null: no zone.</summary>
    public static string? Zone(string region, string zone)
    {
        var match = CatalogZone().Match(zone);
        return match.Success && string.Equals(match.Groups["region"].Value, region, StringComparison.OrdinalIgnoreCase) ? match.Groups["zone"].Value : null;
    }

    [GeneratedRegex("^(?<region>[a-z0-9]+)-(?<zone>[1-9])$")]
    private static partial Regex CatalogZone();
}
