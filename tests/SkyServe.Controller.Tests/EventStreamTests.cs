using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>GET /api/v1/services/{name}/events?follow=true: the stored events, then new ones as they are written, as server-sent events.</summary>
public sealed class EventStreamTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private ControllerServer server = null!;

    public async Task InitializeAsync() => server = await ControllerServer.StartAsync(new ControllerOptions
    {
        DataDirectory = data.Path, Urls = "http://127.0.0.1:0", Reconcile = new ReconcileOptions { Enabled = false },
    });

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task Follow_streams_stored_events_then_new_ones_and_resumes_after_the_last_event_id()
    {
        var created = await server.Client.PostAsync("/api/v1/services?name=chat", new StringContent("""
            service:
              readiness_probe: /health
              replicas: 1
            resources:
              ports: 8080
            run: python3 -m http.server 8080
            """, Encoding.UTF8, "application/yaml"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var stored = (JsonArray)JsonNode.Parse(await server.Client.GetStringAsync("/api/v1/services/chat/events"))!;

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/services/chat/events?follow=true");
        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var first = new List<(long Id, JsonNode Data)>();
        while (first.Count < stored.Count)
            first.Add(await NextEventAsync(reader, timeout.Token));
        Assert.Equal(stored.Select(e => e!["id"]!.GetValue<long>()), first.Select(e => e.Id));

        // A new event, written as the reconciler writes one: it arrives on the open stream.
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var service = await db.Services.SingleAsync(s => s.Name == "chat");
            db.ServiceEvents.Add(new ServiceEventRecord
            {
                ServiceId = service.Id, ReplicaId = 7, At = DateTime.UtcNow, FromStatus = "READY", ToStatus = "PREEMPTED",
                Reason = "the spot machine was reclaimed by the cloud",
            });
            await db.SaveChangesAsync();
        }
        var (id, data) = await NextEventAsync(reader, timeout.Token);
        Assert.Equal("PREEMPTED", data["to_status"]!.GetValue<string>());
        Assert.Equal(7, data["replica_id"]!.GetValue<int>());

        // A reconnecting browser sends Last-Event-ID: nothing before it comes again.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/services/chat/events?follow=true");
        again.Headers.Add("Last-Event-ID", first[^1].Id.ToString());
        using var resumed = await server.Client.SendAsync(again, HttpCompletionOption.ResponseHeadersRead);
        using var resumedReader = new StreamReader(await resumed.Content.ReadAsStreamAsync());
        Assert.Equal(id, (await NextEventAsync(resumedReader, timeout.Token)).Id);
    }

    private static async Task<(long Id, JsonNode Data)> NextEventAsync(StreamReader reader, CancellationToken ct)
    {
        long? id = null;
        string? data = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
                id = long.Parse(line[4..]);
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
                data = line[6..];
            else if (line.Length == 0 && data is not null)
                return (id!.Value, JsonNode.Parse(data)!);
        }
        throw new EndOfStreamException("the event stream ended");
    }
}
