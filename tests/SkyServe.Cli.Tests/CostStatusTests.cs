using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Catalog;
using SkyServe.Core.Domain;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// `skyserve status` shows cost so far, cost per hour and the saving against on demand, and the figures agree with a hand
/// computation from the catalog's prices: local-t4 in aws/us-east-1 stands for g4dn.xlarge there (today 0.187 $/h spot,
/// 0.526 $/h on demand in config/catalog/aws.yaml).
/// </summary>
public sealed class CostStatusTests : IDisposable
{
    private const string Token = "sks_cost-test";
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task Status_shows_cost_per_hour_and_saving_that_agree_with_the_catalog_prices()
    {
        var t4 = CatalogLoader.LoadDirectory(Path.Combine(RepoPaths.Config, "catalog")).Local
            .OfInstanceType("aws", "local-t4").First(o => o.Region == "us-east-1");
        var spotPrice = t4.SpotPerHour!.Value;
        var onDemandPrice = t4.OnDemandPerHour;

        await using var app = await ControllerHost.BuildAsync(new ControllerOptions
        {
            DataDirectory = Path.Combine(home.Path, "data"), ApiToken = Token, Urls = "http://127.0.0.1:0",
            Reconcile = new ReconcileOptions { Enabled = false },
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using (var api = new HttpClient { BaseAddress = new Uri(url) })
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var created = await api.PostAsync("/api/v1/services?name=chat", new StringContent("""
                service:
                  readiness_probe: /health
                  replicas: 1
                resources:
                  ports: 8080
                run: python3 -m http.server 8080
                """, Encoding.UTF8, "application/yaml"));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        // Three replicas: a spot one preempted after 3 h, an on-demand one that failed after 2 h, and a spot one running for 1 h.
        var now = DateTime.UtcNow;
        var t0 = now.AddHours(-5);
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var service = await db.Services.SingleAsync(s => s.Name == "chat");
            ReplicaRecord Replica(bool spot, ReplicaStatus status, DateTime created, DateTime changed, string? machine) => new()
            {
                ServiceId = service.Id, ReplicaId = service.NextReplicaId++, Version = 1, Status = status, IsSpot = spot,
                Cloud = "aws", Region = "us-east-1", Zone = spot ? "us-east-1a" : "us-east-1b", InstanceType = "local-t4",
                InstanceId = machine, LaunchToken = Guid.NewGuid(), HourlyPrice = spot ? spotPrice : onDemandPrice,
                CreatedAt = created, StatusChangedAt = changed,
            };
            db.Replicas.Add(Replica(true, ReplicaStatus.PREEMPTED, t0, t0.AddHours(3), null));
            db.Replicas.Add(Replica(false, ReplicaStatus.FAILED, t0, t0.AddHours(2), null));
            db.Replicas.Add(Replica(true, ReplicaStatus.READY, now.AddHours(-1), now.AddHours(-1), "m-3"));
            await db.SaveChangesAsync();
        }

        // By hand: ended replicas cost price × their hours; the running one price × hours so far (h, a little over 1).
        (decimal Total, decimal Equivalent) Expected(DateTime at)
        {
            var h = (decimal)(at - now.AddHours(-1)).TotalHours;
            return (3 * spotPrice + 2 * onDemandPrice + h * spotPrice, 3 * onDemandPrice + 2 * onDemandPrice + h * onDemandPrice);
        }

        var cli = new SkyServeCli(home.Path);
        var before = DateTime.UtcNow;
        var json = await cli.RunAsync("status", "chat", "--json", "--url", url, "--token", Token);
        var table = await cli.RunAsync("status", "--url", url, "--token", Token);
        var after = DateTime.UtcNow;
        Assert.True(json.ExitCode == 0, json.Output);
        Assert.True(table.ExitCode == 0, table.Output);

        var (lowTotal, lowEquivalent) = Expected(before);
        var (highTotal, highEquivalent) = Expected(after);
        var cost = JsonNode.Parse(json.Stdout)![0]!["cost"]!;
        decimal Figure(string name) => cost[name]!.GetValue<decimal>();
        Assert.InRange(Figure("total"), lowTotal - 0.000002m, highTotal + 0.000002m);
        Assert.InRange(Figure("on_demand_equivalent"), lowEquivalent - 0.000002m, highEquivalent + 0.000002m);
        Assert.Equal(2 * onDemandPrice, Figure("on_demand"));
        Assert.Equal(spotPrice, Figure("per_hour")); // only the running spot replica is paid for now
        Assert.Equal(onDemandPrice, Figure("on_demand_equivalent_per_hour"));
        Assert.Equal(Figure("on_demand_equivalent") - Figure("total"), Figure("saving"));

        // The table: COST, $/H and SAVING as the CLI rounds them, at a moment between the two reads.
        var row = Regex.Match(table.Stdout, @"\nchat\s+1\s+\S+\s+1/1\s+\S+\s+\S+\s+(\$\S+)\s+(\$\S+)\s+(\$\S+) \((\S+)%\)");
        Assert.True(row.Success, table.Stdout);
        var (midTotal, midEquivalent) = Expected(before + (after - before) / 2);
        string Dollars(decimal d) => "$" + d.ToString(Math.Abs(d) < 1 ? "0.0000" : "0.00", CultureInfo.InvariantCulture);
        Assert.Equal(Dollars(midTotal), row.Groups[1].Value);
        Assert.Equal(Dollars(spotPrice), row.Groups[2].Value);
        Assert.Equal(Dollars(midEquivalent - midTotal), row.Groups[3].Value);
        Assert.Equal((100 * (midEquivalent - midTotal) / midEquivalent).ToString("0.0", CultureInfo.InvariantCulture), row.Groups[4].Value);
        Assert.Contains($"cost {Dollars(midTotal)}, {Dollars(spotPrice)}/h; on demand it would be {Dollars(midEquivalent)}", table.Stdout);

        // For scripts: the list's JSON carries each service's cost too (from GET /api/v1/summary).
        var list = await cli.RunAsync("status", "--json", "--url", url, "--token", Token);
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Equal(onDemandPrice, JsonNode.Parse(list.Stdout)![0]!["cost"]!["on_demand_equivalent_per_hour"]!.GetValue<decimal>());
        await app.StopAsync();
    }
}
