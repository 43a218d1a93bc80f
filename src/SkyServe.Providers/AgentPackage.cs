using System.Text.RegularExpressions;

namespace SkyServe.Providers;

/// <summary>
/// Where a cloud machine downloads the ReplicaAgent archive (a .tar.gz of its self-contained linux-x64 publish, with
/// <c>SkyServe.ReplicaAgent</c> at its root) and the SHA-256 it must have before anything of it runs.
/// </summary>
/// <param name="Url">An https/http URL the machine can fetch.</param>
/// <param name="Sha256">64 lowercase hex digits; null: the archive is not checked (an operator's URL given without a digest).</param>
public sealed partial record AgentPackage(string Url, string? Sha256)
{
    /// <summary>
    /// Send the machine's agent token with the download: the controller's own endpoint asks for it, and no other
    /// server may ever see it.
    /// </summary>
    public bool WithAgentToken { get; init; }

    /// <summary>
    /// The operator's URL (and digest, when given) where one is configured, else what the controller offers with the
    /// launch (<see cref="AgentSettings.Package"/>); neither is an invalid request that names the setting.
    /// </summary>
    /// <param name="setting">The provider's setting, for the message: <c>SkyServe:Clouds:Aws:AgentInstallUrl</c>.</param>
    public static AgentPackage Choose(string? configuredUrl, string? configuredSha256, AgentSettings agent, string setting)
    {
        if (!string.IsNullOrWhiteSpace(configuredUrl))
            return new AgentPackage(configuredUrl, string.IsNullOrWhiteSpace(configuredSha256) ? null : configuredSha256.Trim().ToLowerInvariant());
        return agent.Package ?? throw new CloudProviderException(CloudErrorKind.InvalidRequest,
            $"no ReplicaAgent archive for the machine: {setting} is not set and the controller offers none " +
            "(package one with `skyserve package`, or set SkyServe:Agent:PackagePath)");
    }

    /// <summary>Whether <paramref name="value"/> is a SHA-256 digest as sha256sum prints it (64 hex digits).</summary>
    public static bool IsSha256(string value) => Sha256Hex().IsMatch(value.Trim());

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
