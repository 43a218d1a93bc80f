using SkyServe.Contracts.Agent;
using SkyServe.Contracts.Notices;
using System.Net;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.ReplicaAgent.Interruption;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The agent's command line: what launchers may pass, and exit code 2 with a message for anything else.</summary>
public sealed class CommandLineTests
{
    private static Task<ProcessRunner.Result> RunAgentAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [AgentProcess.Dll, .. args], new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" },
            AppContext.BaseDirectory, TimeSpan.FromSeconds(60));

    [Theory]
    [InlineData("unknown option --gpu", "--port", "0", "--gpu", "1")]
    [InlineData("--port must be a number", "--port", "http")]
    [InlineData("--port is required", "--machine-id", "m-1")]
    [InlineData("--host must be an IP address", "--port", "0", "--host", "my.example.com")]
    [InlineData("--metadata-format must be aws, gcp or azure", "--port", "0", "--metadata-format", "openstack")]
    [InlineData("--ready-delay-ms must be a whole number", "--port", "0", "--ready-delay-ms", "-5")]
    [InlineData("--max-request-bytes must be a whole number of bytes", "--port", "0", "--max-request-bytes", "4MB")]
    [InlineData("--max-request-bytes must be a whole number of bytes", "--port", "0", "--max-request-bytes", "0")]
    public async Task Misuse_exits_2_with_a_message_on_stderr(string message, params string[] args)
    {
        var result = await RunAgentAsync(args);

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}:\n{result.Output}");
        Assert.Contains(message, result.Stderr);
        Assert.Contains("Usage:", result.Stderr);
        Assert.DoesNotContain("listening", result.Stdout);
    }

    [Fact]
    public async Task Help_prints_the_usage_and_exits_0()
    {
        var result = await RunAgentAsync("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var flag in new[] { "--port", "--host", "--machine-id", "--readiness-path", "--ready-delay-ms", "--metadata-url",
                     "--metadata-format", "--metadata-poll-ms", "--orphan-exit-after-ms", "--drain-timeout-ms", "--controller-url", "--controller-token",
                     "--peak-bandwidth-gbps", "--peak-tflops", "--max-request-bytes" })
            Assert.Contains(flag, result.Stdout);
    }

    [Fact]
    public void Max_request_bytes_defaults_to_4_MiB()
    {
        Assert.Equal(4 * 1024 * 1024, AgentCommandLine.Parse(["--port", "0"]).MaxRequestBytes);
        Assert.Equal(1000, AgentCommandLine.Parse(["--port", "0", "--max-request-bytes=1000"]).MaxRequestBytes);
    }

    [Fact]
    public void Every_flag_is_read_in_both_spellings()
    {
        var options = AgentCommandLine.Parse([
            "--port", "8081", "--host=0.0.0.0", "--machine-id", "m-7", "--readiness-path=/v1/models", "--ready-delay-ms", "1500",
            "--metadata-url", "http://127.0.0.1:5000/machines/m-7", "--metadata-format=AWS", "--metadata-poll-ms", "250",
            "--orphan-exit-after-ms=600000", "--drain-timeout-ms", "30000"]);

        Assert.Equal(8081, options.Port);
        Assert.Equal(IPAddress.Any, options.Host);
        Assert.Equal("m-7", options.MachineId);
        Assert.Equal("/v1/models", options.ReadinessPath);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ReadyDelay);
        Assert.Equal(new Uri("http://127.0.0.1:5000/machines/m-7"), options.MetadataUrl);
        Assert.Equal(MetadataFormat.Aws, options.MetadataFormat);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.MetadataPollInterval);
        Assert.Equal(TimeSpan.FromMinutes(10), options.OrphanExitAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DrainTimeout);
    }

    [Theory]
    [InlineData("aws", MetadataFormat.Aws)]
    [InlineData("gcp", MetadataFormat.Gcp)]
    [InlineData("Azure", MetadataFormat.Azure)]
    public void Every_metadata_format_is_accepted(string value, MetadataFormat format) =>
        Assert.Equal(format, AgentCommandLine.Parse(["--port", "0", "--metadata-format", value]).MetadataFormat);

    [Fact]
    public void The_controller_url_and_token_are_read_and_the_token_variable_is_removed_once_read()
    {
        var options = AgentCommandLine.Parse(["--port", "0", "--controller-url", "http://127.0.0.1:30580/"]);
        Assert.Equal(new Uri("http://127.0.0.1:30580/"), options.ControllerUrl);
        Assert.Null(options.ControllerToken);

        Environment.SetEnvironmentVariable(AgentApi.ControllerTokenVariable, "ska_secret");
        var withToken = AgentProgram.WithTokenFromEnvironment(options);
        Assert.Equal("ska_secret", withToken.ControllerToken);
        Assert.Null(Environment.GetEnvironmentVariable(AgentApi.ControllerTokenVariable));

        // The flag wins over the variable.
        Environment.SetEnvironmentVariable(AgentApi.ControllerTokenVariable, "ska_other");
        var flagged = AgentProgram.WithTokenFromEnvironment(AgentCommandLine.Parse(["--port", "0", "--controller-token", "ska_flag"]));
        Assert.Equal("ska_flag", flagged.ControllerToken);
        Assert.Null(Environment.GetEnvironmentVariable(AgentApi.ControllerTokenVariable));
    }

    [Fact]
    public void Peak_figures_are_read_as_decimal_numbers()
    {
        var options = AgentCommandLine.Parse(["--port", "0", "--peak-bandwidth-gbps", "4800", "--peak-tflops=989.5"]);
        Assert.Equal(4800, options.PeakBandwidthGbps);
        Assert.Equal(989.5, options.PeakTflops);
    }

    [Fact]
    public void Only_the_port_is_required()
    {
        var options = AgentCommandLine.Parse(["--port", "0"]);

        Assert.Equal(0, options.Port);
        Assert.Equal(IPAddress.Loopback, options.Host);
        Assert.Equal(Environment.MachineName, options.MachineId);
        Assert.Equal("/ready", options.ReadinessPath);
        Assert.Equal(TimeSpan.Zero, options.ReadyDelay);
        Assert.Null(options.MetadataUrl);
        Assert.Equal(MetadataFormat.Aws, options.MetadataFormat);
        Assert.Null(options.ControllerUrl);
        Assert.Equal(TimeSpan.FromSeconds(1), options.MetadataPollInterval);
        Assert.Null(options.OrphanExitAfter); // a cloud's metadata service does not go away: never leave on its own
        Assert.Equal(TimeSpan.FromSeconds(10), options.DrainTimeout);
        Assert.Null(AgentCommandLine.Parse(["--port", "0", "--metadata-url", "http://m", "--orphan-exit-after-ms", "0"]).OrphanExitAfter);
    }

    [Fact]
    public void Every_flag_launchers_write_is_documented_and_read()
    {
        var flags = typeof(AgentFlags).GetFields().Where(field => field.IsLiteral).Select(field => (string)field.GetRawConstantValue()!).ToList();
        Assert.NotEmpty(flags);
        foreach (var flag in flags)
        {
            Assert.Contains($"  {flag} ", AgentCommandLine.Usage);
            if (flag == AgentFlags.WriteManifest)
                continue; // a command line of its own (AgentCommandLine.ManifestRequest)
            var error = Record.Exception(() => AgentCommandLine.Parse(["--port", "0", flag, "x"])); // "x" may well be a bad value
            Assert.True(error is null or CommandLineException, error?.ToString());
            Assert.DoesNotContain("unknown option", error?.Message ?? "");
        }
    }

    [Theory]
    [InlineData("needs a value", "--port")]
    [InlineData("more than once", "--port", "1", "--port", "2")]
    [InlineData("from 0 to 65535", "--port", "65536")]
    [InlineData("unexpected argument", "--port", "0", "serve")]
    [InlineData("starting with '/'", "--port", "0", "--readiness-path", "ready")]
    [InlineData("http(s) base URL", "--port", "0", "--metadata-url", "169.254.169.254")]
    [InlineData("must be aws, gcp or azure", "--port", "0", "--metadata-format", "ec2")]
    [InlineData("--controller-url must be an http(s) base URL", "--port", "0", "--controller-url", "controller:30580")]
    [InlineData("--controller-token must be non-empty", "--port", "0", "--controller-token", "")]
    [InlineData("--peak-bandwidth-gbps must be a number above 0", "--port", "0", "--peak-bandwidth-gbps", "0")]
    [InlineData("--peak-tflops must be a number above 0", "--port", "0", "--peak-tflops", "fast")]
    [InlineData("cannot be /metrics", "--port", "0", "--readiness-path", "/metrics")]
    [InlineData("above 0", "--port", "0", "--metadata-poll-ms", "0")]
    [InlineData("--orphan-exit-after-ms must be a whole number", "--port", "0", "--metadata-url", "http://m", "--orphan-exit-after-ms", "10m")]
    [InlineData("--orphan-exit-after-ms goes with --metadata-url", "--port", "0", "--orphan-exit-after-ms", "3000")]
    [InlineData("--drain-timeout-ms must be", "--port", "0", "--drain-timeout-ms", "1s")]
    [InlineData("--machine-id must be non-empty", "--port", "0", "--machine-id", "")]
    public void Bad_values_are_refused_with_a_message(string message, params string[] args)
    {
        var error = Assert.Throws<CommandLineException>(() => AgentCommandLine.Parse(args));
        Assert.Contains(message, error.Message);
    }
}
