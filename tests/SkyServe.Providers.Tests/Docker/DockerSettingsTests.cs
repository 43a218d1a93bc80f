using SkyServe.Core.Catalog;
using SkyServe.Core.Placement;
using SkyServe.Core.Spec;
using SkyServe.Providers.Docker;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Docker;

/// <summary>The Docker provider's settings, offerings and container shape, without a daemon.</summary>
public sealed class DockerSettingsTests
{
    private static readonly DockerProviderOptions Valid = new()
    {
        Image = "skyserve-agent:latest",
        Hosts = [new DockerHostOptions { Zone = "box-1", Endpoint = "unix:///var/run/docker.sock" }],
    };

    [Fact]
    public void Good_settings_have_no_problems()
    {
        Assert.Empty(DockerProviderOptionsValidator.Problems(Valid));
        Assert.Empty(DockerProviderOptionsValidator.Problems(Valid with
        {
            Hosts = [new DockerHostOptions { Zone = "gpu-1", Region = "rack-2", Endpoint = "tcp://10.0.0.7:2376", Address = "10.0.0.7", Gpu = "l4", GpuCount = 4 }],
        }));
    }

    [Fact]
    public void Every_problem_is_named_by_its_key()
    {
        var problems = DockerProviderOptionsValidator.Problems(new DockerProviderOptions
        {
            AgentPorts = "40000-30000",
            Deployment = "Not_Valid",
            Mounts = ["/srv/cache:/cache:ro", "cache:/cache"],
            Spot = new DockerSpotOptions { TimeCompression = 0 },
            InstanceTypes = [new DockerInstanceType { Name = "gpu", Cpus = 4, MemoryGiB = 8, Gpu = "X9000", GpuCount = 1 }],
            Hosts =
            [
                new DockerHostOptions { Zone = "a", Endpoint = "http://docker:2375", TlsClientCert = "/nowhere/cert.pem" },
                new DockerHostOptions { Zone = "a", Endpoint = "unix:///run/docker.sock", Gpu = "L4" },
                new DockerHostOptions { Zone = "c", Endpoint = "tcp://10.0.0.9:2376", TlsCaCert = "/etc/hosts" },
            ],
        });
        Assert.Contains(problems, p => p.StartsWith("Image is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("AgentPorts must be FIRST-LAST", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Deployment must be", StringComparison.Ordinal));
        Assert.Contains("Spot:TimeCompression must be positive", problems);
        Assert.Contains("Mounts:1 must be /host/path:/container/path, optionally :ro or :rw (got 'cache:/cache')", problems);
        Assert.DoesNotContain(problems, p => p.StartsWith("Mounts:0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("InstanceTypes:0:Gpu 'X9000' is not a known accelerator", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Hosts:0:Endpoint must be unix:///", StringComparison.Ordinal));
        Assert.Contains("Hosts:0: TlsClientCert and TlsClientKey go together", problems);
        Assert.Contains("Hosts:0:TlsClientCert: file /nowhere/cert.pem not found", problems);
        Assert.Contains("Hosts:1: Gpu and GpuCount go together, GpuCount at least 1", problems);
        Assert.Contains("zone 'a' is named by more than one host", problems);
        Assert.Contains("Hosts:2: TlsCaCert needs TlsClientCert and TlsClientKey (TLS is for a dockerd --tlsverify, which verifies its clients)", problems);
        Assert.Contains("no hosts: set Hosts:0:Zone and Hosts:0:Endpoint (unix:///var/run/docker.sock or tcp://host:2376)",
            DockerProviderOptionsValidator.Problems(Valid with { Hosts = [] }));
    }

    [Fact]
    public async Task Bad_settings_stop_the_start_with_every_problem_in_one_line()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => DockerCloudProvider.StartAsync(Valid with { Image = "", AgentPorts = "x" }));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("Image is required", error.Message);
        Assert.Contains("AgentPorts", error.Message);
    }

    [Fact]
    public async Task Unreadable_TLS_files_stop_the_start_naming_the_host()
    {
        using var directory = new TempDirectory();
        var garbage = Path.Combine(directory.Path, "cert.pem");
        await File.WriteAllTextAsync(garbage, "not a certificate");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => DockerCloudProvider.StartAsync(Valid with
        {
            Hosts = [new DockerHostOptions { Zone = "gpu-1", Endpoint = "tcp://10.0.0.7:2376", TlsClientCert = garbage, TlsClientKey = garbage }],
        }));
        Assert.StartsWith("host gpu-1: the TLS certificate or key cannot be read", error.Message);
    }

    [Fact]
    public async Task The_local_chat_example_runs_unchanged_on_docker_hosts_as_spot_and_on_demand()
    {
        // `cloud: local` names no cloud in particular (ResourceResolver): it resolves against whatever the provider offers.
        var spec = ServiceSpecParser.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Examples, "local-chat.yaml")));
        await using var provider = await DockerCloudProvider.StartAsync(Valid with
        {
            Hosts = [.. Valid.Hosts, new DockerHostOptions { Zone = "box-2", Endpoint = "tcp://10.0.0.8:2376", Address = "10.0.0.8" }],
        });
        var offerings = await provider.ListOfferingsAsync(CancellationToken.None);
        var catalog = new CloudCatalog(offerings.Select(o => o.Instance).Distinct());

        var spot = ResourceResolver.Resolve(spec.Resources, catalog);
        Assert.True(spot.Found, spot.Error);
        Assert.Equal(["box-1", "box-2"], spot.Offerings.Select(o => o.Zone).Order());
        Assert.All(spot.Offerings, o => Assert.Equal(("docker", "docker-cpu"), (o.Cloud, o.InstanceType)));
        Assert.True(ResourceResolver.Resolve(spec.Resources with { UseSpot = false }, catalog).Found); // the on-demand fallback
        Assert.Equal(["docker"], provider.Clouds);
    }

    [Fact]
    public void A_spec_may_name_a_docker_host_as_its_infra()
    {
        var spec = ServiceSpecParser.Parse("""
            service:
              readiness_probe: /health
              replicas: 1
            resources:
              infra: docker/gpu-1/gpu-1
              ports: 8080
            """);
        var location = Assert.Single(spec.Resources.Locations);
        Assert.Equal(("docker", "gpu-1", "gpu-1"), (location.Cloud, location.Region, location.Zone));
    }

    [Fact]
    public void Models_are_mounted_from_the_host_where_the_path_is_a_host_path()
    {
        Assert.Equal(("https://models.example/tiny", null), DockerModelMount.For("https://models.example/tiny", "/srv/models"));
        Assert.Equal(("models/tiny-chat", null), DockerModelMount.For("models/tiny-chat", modelRoot: null)); // read inside the image
        Assert.Equal(("/srv/models/tiny-chat", new DockerBindMount("/srv/models/tiny-chat", "/srv/models/tiny-chat", ReadOnly: true)),
            DockerModelMount.For("models/../tiny-chat", "/srv/models/x/.."));
        Assert.Equal(("/data/llama", new DockerBindMount("/data/llama", "/data/llama", ReadOnly: true)), DockerModelMount.For("/data/llama", null));
    }

    [Fact]
    public void Spot_capacity_comes_from_the_hosts_spot_sections_as_in_the_local_runtime()
    {
        var capacities = DockerSpotCapacities.FromOptions(Valid with
        {
            Hosts =
            [
                new DockerHostOptions { Zone = "box-1", Endpoint = "unix:///a.sock", Spot = new DockerZoneSpotOptions { MaxSpot = 3 } },
                new DockerHostOptions { Zone = "box-2", Endpoint = "unix:///b.sock" },
            ],
        }, RepoPaths.Config);
        var capacity = Assert.Single(capacities);
        Assert.Equal("box-1", capacity.Key);
        var samples = Enumerable.Range(0, 2000).Select(h => capacity.Value.CapacityAt(TimeSpan.FromMinutes(5 * h))).ToList();
        Assert.All(samples, c => Assert.InRange(c, 0, 3));
        Assert.Contains(3, samples);
    }
}
