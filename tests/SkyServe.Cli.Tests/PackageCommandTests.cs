using System.Net;
using System.Net.Http.Headers;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// What `skyserve package` makes: archives whose .sha256 files verify with sha256sum, that unpack with tar to their
/// program at the root, and whose programs run on their own (self-contained: no dotnet, no DOTNET_ROOT).
/// </summary>
[Collection(PackagedArchives.Collection)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // bash, tar, sha256sum and linux-x64 programs
public sealed class PackageCommandTests(PackagedArchives archives) : IDisposable
{
    private readonly TempDirectory unpacked = new();

    public void Dispose() => unpacked.Dispose();

    /// <summary>No dotnet to lean on: what a bare server gives a self-contained program.</summary>
    private static readonly Dictionary<string, string> Bare = new()
    {
        ["DOTNET_ROOT"] = "", ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ["DOTNET_NOLOGO"] = "1",
    };

    private async Task<string> UnpackAsync(string archive)
    {
        var into = Path.Combine(unpacked.Path, Path.GetFileNameWithoutExtension(Path.GetFileNameWithoutExtension(archive)));
        Directory.CreateDirectory(into);
        await ProcessRunner.RunCheckedAsync("tar", "-xzf", archives.PathOf(archive), "-C", into);
        return into;
    }

    [Theory]
    [InlineData(PackagedArchives.Agent, "SkyServe.ReplicaAgent")]
    [InlineData(PackagedArchives.Controller, "SkyServe.Controller")]
    [InlineData(PackagedArchives.LoadBalancer, "SkyServe.LoadBalancer")]
    public async Task Each_archive_verifies_with_sha256sum_and_unpacks_to_its_executable_at_the_root(string archive, string executable)
    {
        var check = await ProcessRunner.RunAsync("sha256sum", ["-c", archive + ".sha256"], workingDirectory: archives.Folder);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Equal($"{archive}: OK\n", check.Stdout);

        var dir = await UnpackAsync(archive);
        var program = Path.Combine(dir, executable);
        Assert.True(File.Exists(program), $"no {executable} at the root of {archive}");
        Assert.True(File.GetUnixFileMode(program).HasFlag(UnixFileMode.UserExecute), $"{executable} is not executable");
        Assert.False(Directory.EnumerateFiles(dir, "*.pdb", SearchOption.AllDirectories).Any(), "symbols are left out of the archive");
        var listing = await ProcessRunner.RunCheckedAsync("tar", "-tvzf", archives.PathOf(archive));
        Assert.All(listing.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains(" root/root ", line));
    }

    [Fact]
    public async Task The_unpacked_agent_prints_its_usage_and_serves_health_on_a_loopback_port()
    {
        var agent = Path.Combine(await UnpackAsync(PackagedArchives.Agent), "SkyServe.ReplicaAgent");
        var help = await ProcessRunner.RunAsync(agent, ["--help"], Bare);
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("Usage: SkyServe.ReplicaAgent --port PORT", help.Stdout);

        var port = FreePort.Next();
        await using var running = PackagedProcess.Start(agent, ["--host", "127.0.0.1", "--port", port.ToString()], Bare, "ReplicaAgent listening on ");
        var url = await running.UrlAsync();
        using var http = LoopbackHttp.NewClient(new Uri(url));
        using var health = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task The_unpacked_load_balancer_prints_its_usage()
    {
        var lb = Path.Combine(await UnpackAsync(PackagedArchives.LoadBalancer), "SkyServe.LoadBalancer");
        var help = await ProcessRunner.RunAsync(lb, ["--help"], Bare);
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("--controller", help.Stdout);
    }

    [Fact]
    public async Task The_unpacked_controller_starts_with_no_setting_and_serves_the_agent_archive_it_carries()
    {
        var dir = await UnpackAsync(PackagedArchives.Controller);
        Assert.True(File.Exists(Path.Combine(dir, "config", "catalog", "aws.yaml")), "the controller's archive carries the catalog");
        var carried = await File.ReadAllTextAsync(Path.Combine(dir, PackagedArchives.Agent + ".sha256"));
        Assert.Equal(await File.ReadAllTextAsync(archives.PathOf(PackagedArchives.Agent) + ".sha256"), carried);

        using var data = new TempDirectory();
        var env = new Dictionary<string, string>(Bare)
        {
            ["SkyServe__Urls"] = "http://127.0.0.1:0", ["SkyServe__DataDirectory"] = data.Path, ["SkyServe__ApiToken"] = "sks_package_test",
        };
        await using var controller = PackagedProcess.Start(Path.Combine(dir, "SkyServe.Controller"), [], env, "SkyServe controller listening on ");
        using var http = LoopbackHttp.NewClient(new Uri(await controller.UrlAsync()));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/agent/package");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sks_package_test");
        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{controller.Output}");
        Assert.Equal(carried.Split(' ')[0], Assert.Single(response.Headers.GetValues("X-Checksum-Sha256")));
        Assert.Equal(await File.ReadAllBytesAsync(archives.PathOf(PackagedArchives.Agent)), await response.Content.ReadAsByteArrayAsync());
    }
}
