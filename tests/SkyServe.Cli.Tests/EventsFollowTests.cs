using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>`skyserve events NAME --follow` prints the stored events, then each new one as the controller writes it.</summary>
public sealed class EventsFollowTests : IDisposable
{
    private const string Token = "sks_events-test";
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task Follow_prints_new_events_as_they_are_written()
    {
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

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { SkyServeCli.Dll, "events", "chat", "--follow", "--url", url, "--token", Token })
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in new SkyServeCli(home.Path).Environment())
            info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var lines = new List<string>();
        var printed = new SemaphoreSlim(0);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (lines)
                lines.Add(e.Data);
            printed.Release();
        };
        process.BeginOutputReadLine();
        try
        {
            await WaitForLineAsync("service created with version 1"); // a stored event

            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
                var service = await db.Services.SingleAsync(s => s.Name == "chat");
                db.ServiceEvents.Add(new ServiceEventRecord
                {
                    ServiceId = service.Id, ReplicaId = 4, At = DateTime.UtcNow, FromStatus = "NOT_READY", ToStatus = "PREEMPTED",
                    Reason = "the spot machine was reclaimed by the cloud",
                });
                await db.SaveChangesAsync();
            }
            var line = await WaitForLineAsync("the spot machine was reclaimed");
            Assert.Equal(["4", "NOT_READY", "PREEMPTED"], line.Split('\t')[1..4]);
            Assert.False(process.HasExited); // still following
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        await app.StopAsync();

        async Task<string> WaitForLineAsync(string text)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                lock (lines)
                    if (lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } found)
                        return found;
                try
                {
                    await printed.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    lock (lines)
                        Assert.Fail($"`skyserve events --follow` printed no line with '{text}':\n{string.Join('\n', lines)}");
                }
            }
        }
    }
}
