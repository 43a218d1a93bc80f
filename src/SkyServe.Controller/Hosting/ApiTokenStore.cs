using System.Security.Cryptography;
using SkyServe.Core.Security;

namespace SkyServe.Controller.Hosting;

/// <summary>
/// Keeps a generated API token in the data directory (mode 600) so that restarts keep it.
/// Several controllers sharing PostgreSQL should be given the same token in configuration instead.
/// </summary>
public static class ApiTokenStore
{
    public const string FileName = "api-token";

    /// <summary>The token, and whether it was generated just now (and so must be shown to the user once).</summary>
    public static (string Token, bool Generated) LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
            return (existing, false);
        OwnerOnly.CreateDirectory(dataDirectory);
        var token = "sks_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        OwnerOnly.WriteAllText(path, token);
        return (token, true);
    }
}
