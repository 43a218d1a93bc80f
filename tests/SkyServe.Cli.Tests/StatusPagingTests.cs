using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>`skyserve status` lists every service when the controller's list takes more than one page: it follows the Link header.</summary>
public sealed class StatusPagingTests : IDisposable
{
    private const string Token = "sks_paging-test";
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task Status_follows_the_next_page_links_to_every_service()
    {
        var listRequests = 0;
        await using var app = await ControllerHost.BuildAsync(new ControllerOptions
        {
            DataDirectory = Path.Combine(home.Path, "data"), ApiToken = Token, Urls = "http://127.0.0.1:0",
            Reconcile = new ReconcileOptions { Enabled = false },
        });
        app.Use((http, next) =>
        {
            if (http.Request.Method == "GET" && http.Request.Path == "/api/v1/services")
                Interlocked.Increment(ref listRequests);
            return next(http);
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var names = new[] { "golf", "alpha", "echo", "charlie", "foxtrot", "bravo", "delta" };
        using (var api = new HttpClient { BaseAddress = new Uri(url) })
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            foreach (var name in names)
            {
                using var created = await api.PostAsync($"/api/v1/services?name={name}", new StringContent("""
                    service:
                      readiness_probe: /health
                      replicas: 1
                    resources:
                      ports: 8080
                    run: python3 -m http.server 8080
                    """, Encoding.UTF8, "application/yaml"));
                Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            }
        }

        var cli = new SkyServeCli(home.Path);
        var pageOfThree = new Dictionary<string, string> { [ControllerClient.PageSizeVariable] = "3" };
        var json = await cli.RunWithAsync(pageOfThree, "status", "--json", "--url", url, "--token", Token);
        Assert.True(json.ExitCode == 0, json.Output);
        Assert.Equal(names.Order(StringComparer.Ordinal), JsonNode.Parse(json.Stdout)!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal(3, listRequests); // 3 + 3 + 1

        var table = await cli.RunWithAsync(pageOfThree, "status", "--url", url, "--token", Token);
        Assert.True(table.ExitCode == 0, table.Output);
        Assert.All(names, name => Assert.Matches($@"\n{name}\s+1\s+CONTROLLER_INIT\s+0/0", table.Stdout));
        await app.StopAsync();
    }
}
