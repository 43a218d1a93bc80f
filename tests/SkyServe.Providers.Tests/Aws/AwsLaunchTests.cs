using System.Diagnostics;
using System.Text;
using SkyServe.Cloud.Emulators.Aws;
using SkyServe.Core.Spec;
using SkyServe.Providers.Aws;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Aws;

/// <summary>What RunInstances is sent (as the emulator received it) and what comes back.</summary>
public sealed class AwsLaunchTests : IAsyncLifetime
{
    private AwsTestCloud cloud = null!;
    private AwsCloudProvider provider = null!;
    private static readonly OfferingKey Spot = AwsTestCloud.Key("us-east-1a", "g6.xlarge", spot: true);
    private static readonly OfferingKey OnDemand = Spot with { Spot = false };

    public async Task InitializeAsync()
    {
        cloud = await AwsTestCloud.StartAsync();
        provider = cloud.Provider();
    }

    public async Task DisposeAsync() => await cloud.DisposeAsync();

    private static Dictionary<string, string> Tags => new()
    {
        [MachineTags.ManagedBy] = "controller-1",
        [MachineTags.Service] = "chat",
        [MachineTags.Version] = "3",
        [MachineTags.Replica] = "7",
    };

    [Fact]
    public async Task A_spot_launch_asks_for_a_one_time_spot_instance_that_terminates_on_interruption()
    {
        var machine = await provider.LaunchAsync(AwsTestCloud.Launch(Spot, "token-spot-1", Tags), CancellationToken.None);
        var run = Assert.Single(cloud.Emulator.RequestsFor("RunInstances"));
        Assert.Equal(new Dictionary<string, string>
        {
            ["InstanceMarketOptions.MarketType"] = "spot",
            ["InstanceMarketOptions.SpotOptions.SpotInstanceType"] = "one-time",
            ["InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"] = "terminate",
        }, run.Under("InstanceMarketOptions."));
        Assert.Equal(("2016-11-15", "us-east-1"), (run["Version"], run.Region));
        Assert.Equal(("g6.xlarge", AwsTestCloud.ImageEast, "1", "1"), (run["InstanceType"], run["ImageId"], run["MinCount"], run["MaxCount"]));
        Assert.Equal("token-spot-1", run["ClientToken"]);
        Assert.Equal("subnet-0aaa000000000000a", run["SubnetId"]);
        Assert.Null(run["Placement.AvailabilityZone"]);
        Assert.Equal(AwsTestCloud.SecurityGroup, run["SecurityGroupId.1"]);
        Assert.Equal("skyserve-ops", run["KeyName"]);
        Assert.Equal("skyserve-replica", run["IamInstanceProfile.Name"]);
        Assert.Equal("required", run["MetadataOptions.HttpTokens"]);
        Assert.Equal("terminate", run["InstanceInitiatedShutdownBehavior"]);
        // The machine's tags go on the instance, its volumes and its spot request.
        Assert.Equal(["instance", "volume", "spot-instances-request"], new[] { 1, 2, 3 }.Select(n => run[$"TagSpecification.{n}.ResourceType"]));
        Assert.Equal(Tags.Append(new("Name", "skyserve-chat-7")).OrderBy(t => t.Key, StringComparer.Ordinal), TagsOf(run, 1));
        Assert.Equal(TagsOf(run, 1), TagsOf(run, 3));

        Assert.True(machine.Offering.Spot);
        Assert.Equal(Spot, machine.Offering);
        Assert.Equal("token-spot-1", machine.ClientToken);
        Assert.Equal(MachineState.Pending, machine.State);
        Assert.Equal("chat", machine.Tags[MachineTags.Service]);
        var instance = Assert.Single(cloud.World.Instances);
        Assert.True(instance.Spot);
        Assert.Equal($"http://{instance.PrivateIpAddress}:8081", machine.Endpoint);
    }

    [Fact]
    public async Task An_on_demand_launch_has_no_market_options()
    {
        var machine = await provider.LaunchAsync(AwsTestCloud.Launch(OnDemand, tags: Tags), CancellationToken.None);
        var run = Assert.Single(cloud.Emulator.RequestsFor("RunInstances"));
        Assert.Empty(run.Under("InstanceMarketOptions."));
        Assert.Equal(["instance", "volume"], run.Under("TagSpecification.").Where(f => f.Key.EndsWith(".ResourceType")).OrderBy(f => f.Key).Select(f => f.Value));
        Assert.False(machine.Offering.Spot);
        Assert.False(Assert.Single(cloud.World.Instances).Spot);
    }

    [Fact]
    public async Task A_zone_without_a_configured_subnet_is_placed_by_zone_in_the_default_VPC()
    {
        var west = AwsTestCloud.Key("us-west-2c", "g5.xlarge", spot: false);
        var machine = await provider.LaunchAsync(AwsTestCloud.Launch(west), CancellationToken.None);
        var run = Assert.Single(cloud.Emulator.RequestsFor("RunInstances"));
        Assert.Equal(("us-west-2", "us-west-2c", null, AwsTestCloud.ImageWest), (run.Region, run["Placement.AvailabilityZone"], run["SubnetId"], run["ImageId"]));
        Assert.Equal(west, machine.Offering);
        // The id's region is remembered, and found again by a provider that never launched it.
        Assert.NotNull(await cloud.Provider().GetAsync(machine.Id, CancellationToken.None));
    }

    [Fact]
    public async Task An_instance_profile_ARN_is_passed_as_such_and_the_root_volume_is_skypilots_default()
    {
        var options = cloud.Options() with { InstanceProfile = "arn:aws:iam::123456789012:instance-profile/replica", KeyName = null };
        await cloud.Provider(options).LaunchAsync(AwsTestCloud.Launch(OnDemand), CancellationToken.None);
        var run = Assert.Single(cloud.Emulator.RequestsFor("RunInstances"));
        Assert.Equal("arn:aws:iam::123456789012:instance-profile/replica", run["IamInstanceProfile.Arn"]);
        Assert.Null(run["IamInstanceProfile.Name"]);
        Assert.Null(run["KeyName"]);
        // No disk keys in the spec: 256 GB (SkyPilot's default disk_size) of gp3 at its baseline.
        Assert.Equal(new Dictionary<string, string>
        {
            ["BlockDeviceMapping.1.DeviceName"] = "/dev/sda1",
            ["BlockDeviceMapping.1.Ebs.VolumeSize"] = "256",
            ["BlockDeviceMapping.1.Ebs.VolumeType"] = "gp3",
            ["BlockDeviceMapping.1.Ebs.DeleteOnTermination"] = "true",
        }, run.Under("BlockDeviceMapping."));
    }

    [Fact]
    public async Task The_specs_disk_image_and_labels_reach_RunInstances()
    {
        var machine = new MachineSettings
        {
            DiskSizeGb = 1024,
            DiskTier = "high",
            ImageId = AwsTestCloud.ImageCustom,
            Labels = new Dictionary<string, string> { ["team"] = "inference", ["Name"] = "chat-replica" },
        };
        await provider.LaunchAsync(AwsTestCloud.Launch(Spot, tags: Tags) with { Machine = machine }, CancellationToken.None);
        var run = Assert.Single(cloud.Emulator.RequestsFor("RunInstances"));
        Assert.Equal(AwsTestCloud.ImageCustom, run["ImageId"]);
        Assert.Equal(new Dictionary<string, string>
        {
            ["BlockDeviceMapping.1.DeviceName"] = "/dev/sda1",
            ["BlockDeviceMapping.1.Ebs.VolumeSize"] = "1024",
            ["BlockDeviceMapping.1.Ebs.VolumeType"] = "gp3",
            ["BlockDeviceMapping.1.Ebs.Iops"] = "7000",
            ["BlockDeviceMapping.1.Ebs.Throughput"] = "437",
            ["BlockDeviceMapping.1.Ebs.DeleteOnTermination"] = "true",
        }, run.Under("BlockDeviceMapping."));
        // The labels are tags beside the machine's own, on the instance, its volumes and its spot request; a Name label names it.
        var expected = Tags.Append(new("team", "inference")).Append(new("Name", "chat-replica")).OrderBy(t => t.Key, StringComparer.Ordinal);
        Assert.All(new[] { 1, 2, 3 }, n => Assert.Equal(expected, TagsOf(run, n)));
        var instance = Assert.Single(cloud.World.Instances);
        Assert.Equal(new EmulatedVolume("/dev/sda1", 1024, "gp3", 7000, 437, true), Assert.Single(instance.Volumes));
    }

    [Theory]
    [InlineData("low", 256, "standard", null, null)]
    [InlineData("medium", 256, "gp3", 3500, 218)]
    [InlineData("ultra", 256, "io2", 20000, null)]
    [InlineData("best", 20, "io2", 10000, null)] // io2 allows 500 IOPS per GiB
    [InlineData("medium", 5, "gp3", null, null)] // too small for more than gp3's baseline
    public async Task Disk_tiers_map_to_EBS_volumes_as_in_SkyPilot(string tier, int size, string type, int? iops, int? throughput)
    {
        await provider.LaunchAsync(AwsTestCloud.Launch(OnDemand) with { Machine = new MachineSettings { DiskSizeGb = size, DiskTier = tier } }, CancellationToken.None);
        Assert.Equal(new EmulatedVolume("/dev/sda1", size, type, iops, throughput, true), Assert.Single(Assert.Single(cloud.World.Instances).Volumes));
    }

    [Theory]
    [InlineData("skypilot:gpu-ubuntu-2204", "not supported")]
    [InlineData("docker:vllm/vllm-openai", "not supported")]
    [InlineData("my-image", "is not an AMI id")]
    public async Task An_image_id_that_is_no_AMI_is_refused_before_any_call(string image, string message)
    {
        var error = await Assert.ThrowsAsync<CloudProviderException>(() =>
            provider.LaunchAsync(AwsTestCloud.Launch(OnDemand) with { Machine = new MachineSettings { ImageId = image } }, CancellationToken.None));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(cloud.Emulator.RequestsFor("RunInstances"));
    }

    [Theory]
    [InlineData(MachineTags.Service, "reserved for SkyServe")]
    [InlineData("aws:team", "reserved by AWS")]
    public async Task A_label_that_would_take_a_reserved_tag_is_refused(string key, string message)
    {
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.LaunchAsync(
            AwsTestCloud.Launch(OnDemand, tags: Tags) with { Machine = new MachineSettings { Labels = new Dictionary<string, string> { [key] = "x" } } },
            CancellationToken.None));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(cloud.Emulator.RequestsFor("RunInstances"));
    }

    [Fact]
    public async Task The_same_client_token_launches_once()
    {
        var request = AwsTestCloud.Launch(Spot, "replica-7-attempt-1", Tags);
        var first = await provider.LaunchAsync(request, CancellationToken.None);
        var again = await cloud.Provider().LaunchAsync(request, CancellationToken.None); // a restarted controller retrying
        Assert.Equal(first.Id, again.Id);
        Assert.Single(cloud.World.Instances);
        Assert.All(cloud.Emulator.RequestsFor("RunInstances"), r => Assert.Equal("replica-7-attempt-1", r["ClientToken"]));
        Assert.Equal(2, cloud.Emulator.RequestsFor("RunInstances").Count);
        // Another token is another machine.
        var other = await provider.LaunchAsync(request with { ClientToken = "replica-7-attempt-2" }, CancellationToken.None);
        Assert.NotEqual(first.Id, other.Id);
    }

    [Fact]
    public async Task A_client_token_too_long_for_EC2_is_hashed_the_same_way_every_time()
    {
        var token = "svc-" + new string('x', 80);
        var first = await provider.LaunchAsync(AwsTestCloud.Launch(OnDemand, token), CancellationToken.None);
        var again = await provider.LaunchAsync(AwsTestCloud.Launch(OnDemand, token), CancellationToken.None);
        Assert.Equal(first.Id, again.Id);
        var sent = cloud.Emulator.RequestsFor("RunInstances").Select(r => r["ClientToken"]).Distinct().Single();
        Assert.Equal(64, sent!.Length);
        Assert.Equal(token, first.ClientToken);
    }

    [Fact]
    public async Task The_user_data_installs_and_starts_the_agent_with_the_launch_settings()
    {
        var agent = new AgentSettings
        {
            ReadinessPath = "/v1/models",
            ReadyDelay = TimeSpan.FromMilliseconds(1500),
            Environment = new Dictionary<string, string> { ["MODEL_NAME"] = "meta-llama/Llama-3.1-8B-Instruct", ["HF_TOKEN"] = "hf_abc" },
        };
        await provider.LaunchAsync(AwsTestCloud.Launch(OnDemand) with { Agent = agent }, CancellationToken.None);
        var script = Encoding.UTF8.GetString(Convert.FromBase64String(Assert.Single(cloud.Emulator.RequestsFor("RunInstances"))["UserData"]!));
        Assert.Equal(script, Assert.Single(cloud.World.Instances).UserData);
        Assert.StartsWith("#!/bin/bash\n", script);
        // The configured URL, given no digest: fetched unchecked, and never sent the agent's token.
        Assert.Contains($"\ncurl -fsSL --retry 10 --retry-delay 3 --create-dirs -o /tmp/skyserve-agent.tar.gz '{AwsTestCloud.AgentUrl}'\n", script);
        Assert.DoesNotContain("sha256sum", script);
        Assert.Contains("tar -xzf /tmp/skyserve-agent.tar.gz -C /opt/skyserve/agent\n", script);
        Assert.Contains("exec /opt/skyserve/agent/SkyServe.ReplicaAgent --host 0.0.0.0 --port 8081 --machine-id \"$1\" --readiness-path '/v1/models' "
            + "--metadata-url http://169.254.169.254 --metadata-format aws --ready-delay-ms 1500\n", script);
        Assert.Contains($"export MODEL_NAME=\"$(printf %s '{Convert.ToBase64String(Encoding.UTF8.GetBytes("meta-llama/Llama-3.1-8B-Instruct"))}' | base64 -d)\"", script);
        Assert.Contains("ExecStart=/opt/skyserve/run-agent.sh ${INSTANCE_ID}\n", script);
        Assert.Contains("systemctl enable --now skyserve-agent.service\n", script);
        Assert.DoesNotContain("hf_abc", script); // values travel encoded
        await RunAsync("bash", "-n", "-c", script); // the whole script parses
    }

    [Fact]
    public async Task Without_a_configured_url_the_machine_fetches_the_controllers_archive_with_its_token_and_checks_its_digest()
    {
        var sha256 = new string('a', 64);
        var agent = new AgentSettings
        {
            ControllerUrl = "http://10.0.0.2:30580", ControllerToken = "ska_replica_token",
            Package = new AgentPackage("http://10.0.0.2:30580/api/v1/agent/package", sha256) { WithAgentToken = true },
        };
        var controllerServed = cloud.Provider(cloud.Options() with { AgentInstallUrl = null });
        await controllerServed.LaunchAsync(AwsTestCloud.Launch(OnDemand) with { Agent = agent }, CancellationToken.None);
        var script = Encoding.UTF8.GetString(Convert.FromBase64String(Assert.Single(cloud.Emulator.RequestsFor("RunInstances"))["UserData"]!));
        var config = Convert.ToBase64String(Encoding.UTF8.GetBytes("header = \"Authorization: Bearer ska_replica_token\""));
        Assert.Contains($"printf '%s\\n' \"$(printf %s '{config}' | base64 -d)\" | curl -fsSL --retry 10 --retry-delay 3 --create-dirs "
            + "-o /tmp/skyserve-agent.tar.gz 'http://10.0.0.2:30580/api/v1/agent/package' --config -\n", script);
        Assert.Contains($"if ! printf '%s  %s\\n' '{sha256}' /tmp/skyserve-agent.tar.gz | sha256sum -c --quiet -; then\n", script);
        Assert.True(script.IndexOf("sha256sum", StringComparison.Ordinal) < script.IndexOf("tar -xzf", StringComparison.Ordinal), "checked before unpacked");
        Assert.DoesNotContain("ska_replica_token", script); // encoded, and never an argument
        await RunAsync("bash", "-n", "-c", script);
    }

    [Fact]
    public async Task Without_a_url_or_a_controllers_archive_the_launch_is_refused_before_anything_is_sent()
    {
        var noPackage = cloud.Provider(cloud.Options() with { AgentInstallUrl = null });
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => noPackage.LaunchAsync(AwsTestCloud.Launch(OnDemand), CancellationToken.None));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("SkyServe:Clouds:Aws:AgentInstallUrl", error.Message);
        Assert.Empty(cloud.Emulator.RequestsFor("RunInstances"));
    }

    [Fact]
    public async Task The_agent_start_script_passes_any_value_through_unchanged()
    {
        var awkward = "it's \"quoted\" $(rm -rf /) `x` \\ and\nnew line; ünïcode";
        var agent = new AgentSettings { ReadinessPath = "/it's ready", Environment = new Dictionary<string, string> { ["AWKWARD"] = awkward, ["PLAIN"] = "1" } };
        var output = await RunStartScriptAsync(agent, "i-0abc");
        Assert.Equal(string.Join('\n', "--host", "0.0.0.0", "--port", "9000", "--machine-id", "i-0abc", "--readiness-path", "/it's ready",
            "--metadata-url", "http://169.254.169.254", "--metadata-format", "aws", $"AWKWARD={awkward}|", "PLAIN=1|", "TOKEN=|") + "\n", output);
    }

    [Fact]
    public async Task The_agent_serves_the_specs_run_command_and_reports_to_the_controller()
    {
        // A run: with a line that would end the script's here-document if it were written there as text.
        var run = "python3 -m vllm.entrypoints.openai.api_server --port $PORT \\\nSKYSERVE_RUN\n  --model 'it''s'";
        var agent = new AgentSettings
        {
            Run = run, Setup = "pip install vllm==0.6.3", EnginePort = 8000,
            ControllerUrl = "http://10.0.0.2:30580", ControllerToken = "ska_replica_token",
        };
        var output = await RunStartScriptAsync(agent, "i-0run");
        Assert.Equal(string.Join('\n', "--host", "0.0.0.0", "--port", "9000", "--machine-id", "i-0run", "--readiness-path", "/ready",
            "--metadata-url", "http://169.254.169.254", "--metadata-format", "aws",
            "--run", run, "--setup", "pip install vllm==0.6.3", "--engine-port", "8000", "--workdir", AwsUserData.WorkDirectory, // encoded, so the test cannot move it
            "--controller-url", "http://10.0.0.2:30580", "TOKEN=ska_replica_token|") + "\n", output);
        var script = AwsUserData.Script(agent, new AgentPackage(AwsTestCloud.AgentUrl, null), 9000);
        Assert.DoesNotContain("ska_replica_token", script); // the token travels encoded, in the environment, never as an argument
    }

    [Fact]
    public async Task The_agent_serves_the_specs_model_from_a_cache_on_the_machine()
    {
        var agent = new AgentSettings
        {
            Model = new AgentModel { Path = "https://models.example.com/tiny-chat/", ServedName = "tiny-chat", MaxBatchSize = 8 },
        };
        var output = await RunStartScriptAsync(agent, "i-0model");
        Assert.Equal(string.Join('\n', "--host", "0.0.0.0", "--port", "9000", "--machine-id", "i-0model", "--readiness-path", "/ready",
            "--metadata-url", "http://169.254.169.254", "--metadata-format", "aws",
            "--model", "https://models.example.com/tiny-chat/", "--served-model-name", "tiny-chat", "--max-batch-size", "8", "--engine", "cpu",
            "--model-cache", "ROOT/models", "TOKEN=|") + "\n", output);
    }

    /// <summary>
    /// Runs the start script the user data writes, for real, with /opt/skyserve moved to a temporary folder and a
    /// stand-in agent that prints its arguments (the folder shown as ROOT) and environment.
    /// </summary>
    private static async Task<string> RunStartScriptAsync(AgentSettings agent, string instanceId)
    {
        using var dir = new TempDirectory();
        var script = AwsUserData.Script(agent, new AgentPackage(AwsTestCloud.AgentUrl, null), 9000);
        var runScript = script.Split("<<'SKYSERVE_RUN'\n")[1].Split("\nSKYSERVE_RUN\n")[0]
            .Replace(AwsUserData.AgentHome + "/SkyServe.ReplicaAgent", "bash " + Path.Combine(dir.Path, "agent"), StringComparison.Ordinal)
            .Replace("/opt/skyserve", dir.Path, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir.Path, "agent"), "#!/bin/bash\nprintf '%s\\n' \"$@\"\n"
            + "[ -n \"${AWKWARD+x}\" ] && printf 'AWKWARD=%s|\\n' \"$AWKWARD\"\n[ -n \"${PLAIN+x}\" ] && printf 'PLAIN=%s|\\n' \"$PLAIN\"\n"
            + "printf 'TOKEN=%s|\\n' \"${SKYSERVE_CONTROLLER_TOKEN-}\"\n");
        File.WriteAllText(Path.Combine(dir.Path, "run.sh"), runScript);
        var output = await RunAsync("bash", Path.Combine(dir.Path, "run.sh"), instanceId);
        Assert.True(Directory.Exists(Path.Combine(dir.Path, "work")), "the script makes the work directory");
        return output.Replace(dir.Path, "ROOT", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_environment_names_are_refused_before_anything_is_sent()
    {
        var agent = new AgentSettings { Environment = new Dictionary<string, string> { ["NOT OK"] = "x" } };
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.LaunchAsync(AwsTestCloud.Launch(OnDemand) with { Agent = agent }, CancellationToken.None));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Empty(cloud.Emulator.Requests);
    }

    [Fact]
    public async Task A_region_that_is_not_configured_is_an_invalid_request()
    {
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.LaunchAsync(
            AwsTestCloud.Launch(AwsTestCloud.Key("eu-west-1a", "g5.xlarge", spot: false)), CancellationToken.None));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("eu-west-1", error.Message);
    }

    [Fact]
    public async Task Machines_go_from_pending_to_running_to_gone()
    {
        await using var slow = await AwsTestCloud.StartAsync(o => o with { PendingFor = TimeSpan.FromSeconds(30), ShuttingDownFor = TimeSpan.FromSeconds(20) });
        var aws = slow.Provider();
        var machine = await aws.LaunchAsync(AwsTestCloud.Launch(OnDemand), CancellationToken.None);
        Assert.Equal(MachineState.Pending, (await aws.GetAsync(machine.Id, CancellationToken.None))!.State);
        slow.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(MachineState.Running, (await aws.GetAsync(machine.Id, CancellationToken.None))!.State);
        await aws.TerminateAsync(machine.Id, CancellationToken.None);
        Assert.Equal(MachineState.ShuttingDown, (await aws.GetAsync(machine.Id, CancellationToken.None))!.State);
        Assert.Single(await aws.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        slow.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(await aws.GetAsync(machine.Id, CancellationToken.None));
        Assert.Empty(await aws.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal("terminated", Assert.Single(slow.World.Instances).State); // still described by EC2, but gone for us
    }

    private static IEnumerable<KeyValuePair<string, string>> TagsOf(SkyServe.Cloud.Emulators.Aws.RecordedRequest run, int spec)
    {
        var fields = run.Under($"TagSpecification.{spec}.Tag.");
        return fields.Keys.Where(k => k.EndsWith(".Key", StringComparison.Ordinal))
            .Select(k => new KeyValuePair<string, string>(fields[k], fields[k[..^4] + ".Value"]))
            .OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} exited {process.ExitCode}: {error}");
        return output;
    }
}
