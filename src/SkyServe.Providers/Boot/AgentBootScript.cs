using SkyServe.Contracts.Agent;
using System.Security.Cryptography;
using System.Text;
using static SkyServe.Providers.Boot.ShellWords;

namespace SkyServe.Providers.Boot;

/// <summary>
/// The shell script a cloud machine runs at first boot (GCP's startup-script metadata, Azure's custom data through
/// cloud-init): it downloads the ReplicaAgent (<see cref="AgentDownload"/>: from the configured URL, else from the controller,
/// checked against its SHA-256 before it is unpacked), writes the launch's environment and command line, and runs the agent
/// as a systemd service that restarts on failure. The agent serves what the spec says (<see cref="AgentServingArguments"/>):
/// its <c>model:</c> (a URL the checkpoint store fetches into <c>{install}/models</c>, or a path on the machine's image;
/// a relative one is relative to the install directory) or its <c>run:</c> in <c>{install}/work</c>. Every value from
/// the launch is single-quoted for the shell and written through quoted here-documents, so nothing in a spec's
/// environment or commands is expanded or executed by the script itself.
/// </summary>
public static class AgentBootScript
{
    /// <param name="machineId">What the agent reports as its machine id (the provider's <see cref="CloudMachine.Id"/>).</param>
    /// <param name="metadataFormat">The interruption watcher's format: gcp (metadata server) or azure (Scheduled Events).</param>
    /// <param name="metadataUrl">The cloud's metadata endpoint as the machine sees it.</param>
    public static string Render(AgentInstallOptions install, string machineId, AgentSettings agent, string metadataFormat, string metadataUrl)
    {
        RequireVariableNames(agent.Environment.Keys);
        var package = AgentPackage.Choose(install.PackageUrl, install.PackageSha256, agent, "Agent:PackageUrl");
        var dir = install.InstallDirectory.TrimEnd('/');
        var env = new StringBuilder();
        foreach (var (key, value) in AgentServingArguments.Environment(agent).OrderBy(e => e.Key, StringComparer.Ordinal))
            env.Append("export ").Append(key).Append('=').Append(Quote(value)).Append('\n');
        var args = new List<string>
        {
            AgentFlags.Host, "0.0.0.0", AgentFlags.Port, install.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AgentFlags.MachineId, machineId, AgentFlags.ReadinessPath, agent.ReadinessPath,
            AgentFlags.MetadataUrl, metadataUrl, AgentFlags.MetadataFormat, metadataFormat,
        };
        args.AddRange(AgentServingArguments.For(agent, modelPath: null, enginePort: null, workDirectory: dir + "/work"));
        if (agent.Model is not null)
            args.AddRange([AgentFlags.ModelCache, dir + "/models"]);
        var run = $"#!/bin/sh\n. {Quote(dir + "/agent.env")}\nmkdir -p {Quote(dir + "/work")}\ncd {Quote(dir)}\n" +
            $"exec {Quote(dir + "/agent/SkyServe.ReplicaAgent")} {string.Join(' ', args.Select(Quote))}\n";
        var unit = $"""
            [Unit]
            Description=SkyServe replica agent
            After=network-online.target
            Wants=network-online.target

            [Service]
            ExecStart={dir}/run-agent.sh
            Restart=on-failure
            RestartSec=2
            KillSignal=SIGTERM
            TimeoutStopSec=60

            [Install]
            WantedBy=multi-user.target

            """;
        var script = new StringBuilder();
        script.Append($"""
            #!/bin/bash
            # SkyServe replica boot script: installs the ReplicaAgent and runs it as the skyserve-agent systemd service.
            set -euo pipefail
            umask 077 # agent.env holds the controller token and the spec's envs
            dir={Quote(dir)}
            if [ ! -x "$dir/agent/SkyServe.ReplicaAgent" ]; then

            """);
        script.Append(AgentDownload.Lines(package, agent.ControllerToken, Quote, "\"$dir/agent.tar.gz\"", "\"$dir/agent\""));
        script.Append("""
            chmod +x "$dir/agent/SkyServe.ReplicaAgent"
            fi

            """);
        AppendFile(script, "$dir/agent.env", env.ToString(), mode: "600");
        AppendFile(script, "$dir/run-agent.sh", run, mode: "755");
        AppendFile(script, "/etc/systemd/system/skyserve-agent.service", unit, mode: "644");
        script.Append("systemctl daemon-reload\nsystemctl enable --now skyserve-agent.service\n");
        return script.ToString();
    }


    private static void AppendFile(StringBuilder script, string path, string content, string mode)
    {
        // A delimiter that cannot be a line of the content: derived from the content's hash.
        var delimiter = "SKYSERVE_EOF_" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..16];
        script.Append("cat > \"").Append(path).Append("\" <<'").Append(delimiter).Append("'\n")
            .Append(content);
        if (!content.EndsWith('\n'))
            script.Append('\n');
        script.Append(delimiter).Append('\n')
            .Append("chmod ").Append(mode).Append(" \"").Append(path).Append("\"\n");
    }
}
