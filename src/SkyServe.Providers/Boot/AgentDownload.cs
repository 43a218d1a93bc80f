using System.Text;
using static SkyServe.Providers.Boot.ShellWords;

namespace SkyServe.Providers.Boot;

/// <summary>
/// The lines of a first-boot script that fetch the ReplicaAgent archive, check it against its SHA-256 and unpack it:
/// nothing of the archive is extracted, let alone run, before <c>sha256sum -c</c> has passed. The agent token (only ever
/// sent to the controller's own endpoint) reaches curl as a config file on its standard input, never on a command line.
/// </summary>
public static class AgentDownload
{
    /// <param name="token">The machine's agent token, sent only when <see cref="AgentPackage.WithAgentToken"/>.</param>
    /// <param name="secretWord">Makes the shell word that yields a secret (single quotes, or base64 decoded at run time).</param>
    /// <param name="archive">Where the download is written: a shell word, expanded by the script (<c>"$dir/agent.tar.gz"</c>).</param>
    /// <param name="destination">The folder the archive is unpacked into: a shell word.</param>
    public static string Lines(AgentPackage package, string? token, Func<string, string> secretWord, string archive, string destination)
    {
        var s = new StringBuilder();
        var source = package.WithAgentToken ? "the controller" : "the configured URL";
        s.Append("# The ReplicaAgent archive from ").Append(source)
            .Append(package.Sha256 is null ? ", unchecked: no digest was configured for it.\n" : ", checked against its SHA-256 before it is unpacked.\n");
        var curl = $"curl -fsSL --retry 10 --retry-delay 3 --create-dirs -o {archive} {Quote(package.Url)}";
        if (package.WithAgentToken && token is not null)
            s.Append("printf '%s\\n' ").Append(secretWord(CurlHeader("Authorization", "Bearer " + token))).Append(" | ").Append(curl).Append(" --config -\n");
        else
            s.Append(curl).Append('\n');
        if (package.Sha256 is { } sha256)
        {
            s.Append("if ! printf '%s  %s\\n' ").Append(Quote(sha256)).Append(' ').Append(archive).Append(" | sha256sum -c --quiet -; then\n")
                .Append("  echo ").Append(Quote($"skyserve: the agent archive from {package.Url} does not have the SHA-256 {sha256}; not installing it"))
                .Append(" >&2\n")
                .Append("  rm -f ").Append(archive).Append('\n')
                .Append("  exit 1\n")
                .Append("fi\n");
        }
        s.Append("mkdir -p ").Append(destination).Append('\n')
            .Append("tar -xzf ").Append(archive).Append(" -C ").Append(destination).Append('\n')
            .Append("rm -f ").Append(archive).Append('\n');
        return s.ToString();
    }

    /// <summary>A curl config line setting a header; curl's quoted form escapes backslashes and double quotes.</summary>
    private static string CurlHeader(string name, string value) =>
        $"header = \"{name}: {value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}
