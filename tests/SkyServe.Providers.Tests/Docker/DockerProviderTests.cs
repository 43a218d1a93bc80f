using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SkyServe.Contracts.Agent;
using SkyServe.Contracts.Notices;
using SkyServe.Core.Spec;
using SkyServe.Providers.Docker;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Docker;

/// <summary>The Docker provider on a real dockerd beyond the conformance suite: the agent's container, restarts, termination, spot reclaims, GPUs.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerProviderTests(Dockerd dockerd) : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<DockerCloudProvider> providers = [];
    private readonly TempDirectory models = new();
    private DockerProviderOptions options = null!;

    public Task InitializeAsync()
    {
        options = DockerTestHosts.Options(dockerd);
        return Task.CompletedTask;
    }

    private async Task<DockerCloudProvider> StartAsync(DockerProviderOptions? with = null, IReadOnlyDictionary<string, ISpotCapacity>? spot = null, TimeProvider? time = null)
    {
        var provider = await DockerCloudProvider.StartAsync(with ?? options, spot, time);
        providers.Add(provider);
        return provider;
    }

    private static LaunchRequest Request(string service, bool spot = false, AgentSettings? agent = null, string zone = "box-a") =>
        new(Guid.NewGuid().ToString(), DockerTestHosts.Cpu(zone, spot), new Dictionary<string, string>
        {
            [MachineTags.ManagedBy] = "docker-tests", [MachineTags.Service] = service, [MachineTags.Replica] = "1",
        })
        { Agent = agent ?? new AgentSettings() };

    private static async Task<string> GetTextAsync(string url)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(url);
                if (response.IsSuccessStatusCode)
                    return await response.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException)
            {
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                throw new TimeoutException($"{url} did not answer 200 within 30 s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_launch_runs_the_agent_in_a_container_with_its_flags_environment_labels_model_mount_and_a_port_of_its_own()
    {
        var model = Directory.CreateDirectory(Path.Combine(models.Path, "tiny")).FullName;
        await File.WriteAllTextAsync(Path.Combine(model, "config.json"), "{}");
        var provider = await StartAsync();
        var agent = new AgentSettings
        {
            ControllerUrl = "http://127.0.0.1:30580",
            ControllerToken = "replica-token",
            Environment = new Dictionary<string, string> { ["HF_HOME"] = "/tmp/hf" },
            Model = new AgentModel { Path = model, ServedName = "tiny" },
        };

        var first = await provider.LaunchAsync(Request("chat", agent: agent), CancellationToken.None);
        var second = await provider.LaunchAsync(Request("chat"), CancellationToken.None);

        Assert.Matches(@"^box-a/t-[0-9a-f]{10}-[0-9a-f]{20}$", first.Id);
        Assert.NotEqual(first.Endpoint, second.Endpoint);
        Assert.StartsWith("http://127.0.0.1:", first.Endpoint);
        var health = JsonDocument.Parse(await GetTextAsync(first.Endpoint + "/health")).RootElement;
        Assert.Equal(first.Id, health.GetProperty("machine_id").GetString());
        var args = (await GetTextAsync(first.Endpoint + "/args")).Split('\n');
        string After(string flag) => args[Array.IndexOf(args, flag) + 1];
        Assert.Equal(first.Endpoint!.Split(':')[^1], After(AgentFlags.Port));
        Assert.Equal("127.0.0.1", After(AgentFlags.Host));
        Assert.Equal("http://127.0.0.1:30580", After(AgentFlags.ControllerUrl));
        Assert.Equal(model, After(AgentFlags.Model));
        Assert.DoesNotContain("replica-token", args); // the token travels in the environment, never on the command line
        var environment = await GetTextAsync(first.Endpoint + "/env");
        Assert.Contains($"{AgentApi.ControllerTokenVariable}=replica-token", environment);
        Assert.Contains("HF_HOME=/tmp/hf", environment);
        // The model folder is bind-mounted read-only at its own path: the stand-in lists its files there.
        Assert.Equal("config.json", (await GetTextAsync(first.Endpoint + "/model")).Trim());
        var labels = (await dockerd.ContainersAsync($"{DockerLabels.ClientToken}={first.ClientToken}")).Single().Labels;
        Assert.Equal("chat", labels[DockerLabels.TagPrefix + MachineTags.Service]);
        Assert.Equal(options.Deployment, labels[DockerLabels.Deployment]);
        Assert.Equal("false", labels[DockerLabels.Spot]);
        Assert.Equal(MachineState.Running, first.State);
    }

    [Fact]
    public async Task The_specs_labels_go_on_the_container_and_its_docker_image_id_is_what_runs()
    {
        var provider = await StartAsync(options with { Image = "no-such-image:never" }); // only the spec's image can start
        var machine = new MachineSettings
        {
            ImageId = "docker:" + StandInAgentImage.Reference,
            DiskSizeGb = 512, // logged as not applying to containers
            Labels = new Dictionary<string, string> { ["team"] = "inference" },
        };
        var launched = await provider.LaunchAsync(Request("chat") with { Machine = machine }, CancellationToken.None);
        Assert.Equal(MachineState.Running, launched.State);
        var labels = (await dockerd.ContainersAsync($"{DockerLabels.ClientToken}={launched.ClientToken}")).Single().Labels;
        Assert.Equal("inference", labels["team"]);
        Assert.DoesNotContain("team", launched.Tags.Keys); // the machine's tags stay its own
    }

    [Fact]
    public async Task A_new_provider_finds_the_containers_by_their_labels_and_a_relaunch_of_a_token_returns_the_same_container()
    {
        var before = await StartAsync();
        var a = await before.LaunchAsync(Request("kept"), CancellationToken.None);
        var b = await before.LaunchAsync(Request("kept", spot: true), CancellationToken.None);
        await before.DisposeAsync(); // the controller stops; its machines do not

        var after = await StartAsync();
        var found = await after.ListAsync(new Dictionary<string, string> { [MachineTags.Service] = "kept" }, CancellationToken.None);
        Assert.Equal(new[] { a.Id, b.Id }.Order(), found.Select(m => m.Id).Order());
        var again = Assert.Single(found, m => m.Id == a.Id);
        Assert.Equal(a.Endpoint, again.Endpoint);
        Assert.Equal(a.Offering, again.Offering);
        Assert.Equal(a.ClientToken, again.ClientToken);
        Assert.Equal(a.LaunchedAt, again.LaunchedAt);
        Assert.Equal("kept", again.Tags[MachineTags.Service]);
        Assert.True(Assert.Single(found, m => m.Id == b.Id).Offering.Spot);

        var relaunched = await after.LaunchAsync(Request("kept") with { ClientToken = a.ClientToken }, CancellationToken.None);
        Assert.Equal(a.Id, relaunched.Id);
        Assert.Equal(2, (await dockerd.ContainersAsync($"{DockerLabels.Deployment}={options.Deployment}")).Count);

        // Another deployment on the same host sees none of them.
        var stranger = await StartAsync(DockerTestHosts.Options(dockerd));
        Assert.Empty(await stranger.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Null(await stranger.GetAsync(a.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Terminate_lets_the_agent_drain_on_SIGTERM_then_removes_the_container()
    {
        var provider = await StartAsync();
        var machine = await provider.LaunchAsync(Request("ending"), CancellationToken.None);
        await GetTextAsync(machine.Endpoint + "/health");

        var stopping = Stopwatch.StartNew();
        await provider.TerminateAsync(machine.Id, CancellationToken.None);

        // The stand-in exits on SIGTERM: the stop ends well before the 20 s grace after which Docker would kill it.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"terminate took {stopping.Elapsed}");
        Assert.Empty(await dockerd.ContainersAsync($"{DockerLabels.ClientToken}={machine.ClientToken}"));
        Assert.Null(await provider.GetAsync(machine.Id, CancellationToken.None));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Http.GetAsync(machine.Endpoint + "/health"));
    }

    [Fact]
    public async Task A_spot_container_over_capacity_gets_a_notice_from_the_market_and_its_metadata_endpoint_then_is_removed_at_the_deadline()
    {
        var capacity = new ScriptedSpotCapacity(2);
        var provider = await StartAsync(options with
        {
            Spot = new DockerSpotOptions { MarketInterval = TimeSpan.FromMilliseconds(100), NoticeLead = TimeSpan.FromSeconds(2) },
        }, new Dictionary<string, ISpotCapacity> { ["box-a"] = capacity });
        await using var notices = new NoticeCollector(provider);
        var older = await provider.LaunchAsync(Request("spot", spot: true), CancellationToken.None);
        var newer = await provider.LaunchAsync(Request("spot", spot: true), CancellationToken.None);
        var args = (await GetTextAsync(newer.Endpoint + "/args")).Split('\n');
        var metadataUrl = args[Array.IndexOf(args, AgentFlags.MetadataUrl) + 1];
        Assert.Equal(MetadataFormats.Aws, args[Array.IndexOf(args, AgentFlags.MetadataFormat) + 1]);

        capacity.Capacity = 1; // the market's next step reclaims the newest

        var notice = Assert.Single(await notices.AtLeastAsync(1));
        Assert.Equal(newer.Id, notice.MachineId);
        Assert.Equal(InterruptionKind.Preemption, notice.Kind);
        // What the agent polls: the notice in AWS IMDSv2's format.
        using var token = new HttpRequestMessage(HttpMethod.Put, metadataUrl + "/latest/api/token");
        token.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "60");
        var imdsToken = await (await Http.SendAsync(token)).Content.ReadAsStringAsync();
        using var action = new HttpRequestMessage(HttpMethod.Get, metadataUrl + "/latest/meta-data/spot/instance-action");
        action.Headers.Add("X-aws-ec2-metadata-token", imdsToken);
        var instanceAction = await (await Http.SendAsync(action)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("terminate", instanceAction.GetProperty("action").GetString());

        Assert.NotNull(await provider.GetAsync(newer.Id, CancellationToken.None)); // still there during the notice
        await Eventually.TrueAsync(async () => await provider.GetAsync(newer.Id, CancellationToken.None) is null,
            TimeSpan.FromSeconds(15), () => $"{newer.Id} still there after its deadline {notice.Deadline:O}");
        Assert.Empty(await dockerd.ContainersAsync($"{DockerLabels.ClientToken}={newer.ClientToken}"));
        Assert.NotNull(await provider.GetAsync(older.Id, CancellationToken.None)); // within capacity: kept
        Assert.Single(notices.Now());
    }

    [Fact]
    public async Task The_real_agent_in_a_container_reads_its_notice_from_the_metadata_endpoint_before_the_container_is_removed()
    {
        // The stand-in image with the host's /usr (the .NET runtime) and the agent build beside the tests mounted into it.
        var agentDll = ReplicaAgentLocation.Dll();
        var dotnet = new FileInfo("/usr/bin/dotnet").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "/usr/bin/dotnet";
        var capacity = new ScriptedSpotCapacity(1);
        var provider = await StartAsync(options with
        {
            Entrypoint = [dotnet, "/skyserve/agent/" + Path.GetFileName(agentDll)],
            Mounts = ["/usr:/usr:ro", $"{Path.GetDirectoryName(agentDll)}:/skyserve/agent:ro"],
            Spot = new DockerSpotOptions { MarketInterval = TimeSpan.FromMilliseconds(100), NoticeLead = TimeSpan.FromSeconds(4) },
        }, new Dictionary<string, ISpotCapacity> { ["box-a"] = capacity });
        var machine = await provider.LaunchAsync(Request("real-agent", spot: true), CancellationToken.None);
        Assert.Equal(machine.Id, (await AgentProbe.WaitHealthyAsync(machine.Endpoint!))["machine_id"]?.GetValue<string>());

        capacity.Capacity = 0; // the zone runs dry: a 4 s notice, then the removal
        var deadline = Stopwatch.StartNew();
        System.Text.Json.Nodes.JsonNode? health;
        while ((health = await AgentProbe.HealthAsync(machine.Endpoint!))?["status"]?.GetValue<string>() != "interrupted")
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"the agent never saw its interruption notice: {health?.ToJsonString()}");
            await Task.Delay(100);
        }
        Assert.Equal("aws", health!["interruption"]!["source"]!.GetValue<string>());
        await Eventually.TrueAsync(async () => await provider.GetAsync(machine.Id, CancellationToken.None) is null,
            TimeSpan.FromSeconds(15), () => $"{machine.Id} still there after its notice");
        Assert.Null(await AgentProbe.HealthAsync(machine.Endpoint!));
    }

    [Fact]
    public async Task A_GPU_launch_asks_the_NVIDIA_driver_for_the_offerings_GPUs_and_without_the_toolkit_is_an_invalid_request_that_leaves_nothing()
    {
        var l4 = new DockerInstanceType { Name = "docker-l4", Cpus = 8, MemoryGiB = 32, Gpu = "L4", GpuCount = 2, GpuMemoryGiB = 24, OnDemandPerHour = 1m, SpotPerHour = 0.4m };
        var gpuOptions = options with
        {
            Hosts = [DockerTestHosts.Host(dockerd, "box-a") with { Gpu = "L4", GpuCount = 4 }, DockerTestHosts.Host(dockerd, "box-c")],
            InstanceTypes = [DockerInstanceType.DefaultCpu, l4],
        };
        var provider = await StartAsync(gpuOptions);
        var offerings = await provider.ListOfferingsAsync(CancellationToken.None);
        var gpu = Assert.Single(offerings, o => o.Instance.InstanceType == "docker-l4" && !o.Spot);
        Assert.Equal(("box-a", "L4", 2), (gpu.Instance.Zone, gpu.Instance.AcceleratorName, gpu.Instance.AcceleratorCount));
        Assert.DoesNotContain(offerings, o => o.Instance.Zone == "box-c" && o.Instance.AcceleratorName is not null); // no GPU there

        var request = Request("gpu") with { Offering = gpu.Key };
        var spec = DockerContainerSpecs.For(request, gpuOptions, gpuOptions.Hosts[0], gpu.Instance, l4, "name", 31000, null, DateTimeOffset.UnixEpoch);
        var device = Assert.Single(DockerHostClient.ToParameters(spec).HostConfig.DeviceRequests);
        Assert.Equal(("nvidia", 2L), (device.Driver, device.Count));
        Assert.Equal(["gpu"], Assert.Single(device.Capabilities));
        Assert.Equal("host", DockerHostClient.ToParameters(spec).HostConfig.NetworkMode);

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.LaunchAsync(request, CancellationToken.None));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("NVIDIA", error.Message);
        Assert.Empty(await dockerd.ContainersAsync($"{DockerLabels.Deployment}={options.Deployment}"));
    }

    [Fact]
    public async Task A_host_over_TCP_with_TLS_client_certificates_serves_as_its_socket_does_and_a_daemon_certificate_of_another_CA_is_refused()
    {
        var tls = dockerd.Tls;
        var host = DockerTestHosts.Host(dockerd, "box-a") with
        {
            Endpoint = dockerd.TlsEndpoint, TlsCaCert = tls.CaCert, TlsClientCert = tls.ClientCert, TlsClientKey = tls.ClientKey,
        };
        var provider = await StartAsync(options with { Hosts = [host] });
        var machine = await provider.LaunchAsync(Request("tls"), CancellationToken.None);
        Assert.Contains(machine.Id, await GetTextAsync(machine.Endpoint + "/health"));
        Assert.Equal(machine.Id, Assert.Single(await provider.ListAsync(new Dictionary<string, string> { [MachineTags.Service] = "tls" }, CancellationToken.None)).Id);
        await provider.TerminateAsync(machine.Id, CancellationToken.None);
        Assert.Empty(await dockerd.ContainersAsync($"{DockerLabels.ClientToken}={machine.ClientToken}"));

        var distrusting = await StartAsync(options with { Hosts = [host with { TlsCaCert = tls.OtherCaCert }] });
        var distrusted = await Assert.ThrowsAsync<CloudProviderException>(() => distrusting.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(CloudErrorKind.Unauthorized, distrusted.Kind);
        var plain = await StartAsync(options with { Hosts = [host with { TlsCaCert = null, TlsClientCert = null, TlsClientKey = null }] });
        var refused = await Assert.ThrowsAsync<CloudProviderException>(() => plain.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(CloudErrorKind.InvalidRequest, refused.Kind); // dockerd: "Client sent an HTTP request to an HTTPS server."
    }

    [Fact]
    public async Task An_image_missing_from_the_host_is_an_invalid_request_that_says_so()
    {
        var provider = await StartAsync(options with { Image = "skyserve-no-such-image:latest" });
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.LaunchAsync(Request("none"), CancellationToken.None));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("docker load", error.Message);
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
            await provider.DisposeAsync();
        await using (var cleaner = await DockerCloudProvider.StartAsync(options))
            foreach (var machine in await cleaner.ListAsync(new Dictionary<string, string>(), CancellationToken.None))
                await cleaner.TerminateAsync(machine.Id, CancellationToken.None);
        models.Dispose();
        Assert.Empty(await dockerd.ContainersAsync($"{DockerLabels.Deployment}={options.Deployment}"));
    }
}
