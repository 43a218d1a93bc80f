using SkyServe.Contracts.Agent;
using System.Globalization;
using System.Text;
using SkyServe.Providers.Boot;
using static SkyServe.Providers.Boot.ShellWords;

namespace SkyServe.Providers.Aws;

/// <summary>
/// The cloud-init user data of a replica machine: a bash script that downloads the ReplicaAgent (<see cref="AgentDownload"/>:
/// from <see cref="AwsProviderOptions.AgentInstallUrl"/>, else from the controller, checked against its SHA-256), installs it
/// as a systemd service and starts it with the launch's <see cref="AgentSettings"/>, bound to all addresses
/// so the controller and load balancer can reach it, watching IMDSv2 for the spot interruption notice, and serving what
/// the spec says (<see cref="AgentServingArguments"/>: its model, cached under <see cref="ModelCache"/>, or its run: in
/// <see cref="WorkDirectory"/>; a relative model path is relative to /opt/skyserve). Environment values travel
/// base64-encoded and arguments single-quoted, so no value can break out of the script.
/// </summary>
public static class AwsUserData
{
    /// <summary>EC2's limit on user data, before base64.</summary>
    public const int MaxBytes = 16 * 1024;

    public const string AgentHome = "/opt/skyserve/agent";
    public const string RunScript = "/opt/skyserve/run-agent.sh";
    public const string Unit = "skyserve-agent.service";
    public const string WorkDirectory = "/opt/skyserve/work";
    public const string ModelCache = "/opt/skyserve/models";

    /// <summary>Where the archive is downloaded before it is checked and unpacked.</summary>
    public const string Archive = "/tmp/skyserve-agent.tar.gz";

    public static string Script(AgentSettings agent, AgentPackage package, int agentPort)
    {
        RequireVariableNames(agent.Environment.Keys);

        var agentArgs = new List<string>
        {
            AgentFlags.Host, "0.0.0.0",
            AgentFlags.Port, agentPort.ToString(CultureInfo.InvariantCulture),
            AgentFlags.MachineId, "\"$1\"",
            AgentFlags.ReadinessPath, Quote(agent.ReadinessPath),
            AgentFlags.MetadataUrl, "http://169.254.169.254",
            AgentFlags.MetadataFormat, MetadataFormats.Aws,
        };
        if (agent.ReadyDelay > TimeSpan.Zero)
            agentArgs.AddRange([AgentFlags.ReadyDelayMs, ((long)agent.ReadyDelay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)]);
        // base64 like the environment: a multi-line run: command must not be able to end the here-document early.
        agentArgs.AddRange(AgentServingArguments.For(agent, modelPath: null, enginePort: null, WorkDirectory).Select(Decoded));
        if (agent.Model is not null)
            agentArgs.AddRange([AgentFlags.ModelCache, ModelCache]);

        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append("# SkyServe replica bootstrap: installs the ReplicaAgent and runs it as a systemd service.\n");
        s.Append("set -euo pipefail\n");
        s.Append("umask 077 # the run script holds the controller token and the spec's envs\n");
        s.Append("exec > >(tee -a /var/log/skyserve-bootstrap.log) 2>&1\n");
        s.Append("imds() {\n");
        s.Append("  local token\n");
        s.Append("  token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)\n");
        s.Append("  curl -fsS -H \"X-aws-ec2-metadata-token: $token\" \"http://169.254.169.254/latest/meta-data/$1\"\n");
        s.Append("}\n");
        s.Append("INSTANCE_ID=$(imds instance-id)\n");
        s.Append(AgentDownload.Lines(package, agent.ControllerToken, Decoded, Archive, AgentHome));
        s.Append(CultureInfo.InvariantCulture, $"chmod +x {AgentHome}/SkyServe.ReplicaAgent\n");
        s.Append(CultureInfo.InvariantCulture, $"cat > {RunScript} <<'SKYSERVE_RUN'\n");
        s.Append("#!/bin/bash\n");
        s.Append("set -euo pipefail\n");
        foreach (var (name, value) in AgentServingArguments.Environment(agent).OrderBy(e => e.Key, StringComparer.Ordinal))
            s.Append(CultureInfo.InvariantCulture, $"export {name}={Decoded(value)}\n");
        s.Append(CultureInfo.InvariantCulture, $"mkdir -p {WorkDirectory}\ncd /opt/skyserve\n");
        s.Append(CultureInfo.InvariantCulture, $"exec {AgentHome}/SkyServe.ReplicaAgent {string.Join(' ', agentArgs)}\n");
        s.Append("SKYSERVE_RUN\n");
        s.Append(CultureInfo.InvariantCulture, $"chmod 700 {RunScript}\n");
        s.Append(CultureInfo.InvariantCulture, $"cat > /etc/systemd/system/{Unit} <<SKYSERVE_UNIT\n");
        s.Append("[Unit]\n");
        s.Append("Description=SkyServe replica agent\n");
        s.Append("After=network-online.target\n");
        s.Append("Wants=network-online.target\n");
        s.Append("[Service]\n");
        s.Append(CultureInfo.InvariantCulture, $"ExecStart={RunScript} ${{INSTANCE_ID}}\n");
        s.Append("Restart=on-failure\n");
        s.Append("RestartSec=2\n");
        s.Append("KillSignal=SIGTERM\n");
        s.Append("TimeoutStopSec=30\n");
        s.Append("[Install]\n");
        s.Append("WantedBy=multi-user.target\n");
        s.Append("SKYSERVE_UNIT\n");
        s.Append("systemctl daemon-reload\n");
        s.Append(CultureInfo.InvariantCulture, $"systemctl enable --now {Unit}\n");
        return s.ToString();
    }

    /// <summary>The script as RunInstances takes it: base64, at most 16 KiB before encoding.</summary>
    public static string Encoded(AgentSettings agent, AgentPackage package, int agentPort)
    {
        var bytes = Encoding.UTF8.GetBytes(Script(agent, package, agentPort));
        if (bytes.Length > MaxBytes)
            throw new CloudProviderException(CloudErrorKind.InvalidRequest,
                $"the machine's start-up script is {bytes.Length} bytes; EC2 takes at most {MaxBytes} (are the environment values too large?)");
        return Convert.ToBase64String(bytes);
    }

    /// <summary>A shell word that decodes to the value byte for byte (but for trailing newlines, which $(...) drops).</summary>
    private static string Decoded(string value) => $"\"$(printf %s '{Convert.ToBase64String(Encoding.UTF8.GetBytes(value))}' | base64 -d)\"";
}
