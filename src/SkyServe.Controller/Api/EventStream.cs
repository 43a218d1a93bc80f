using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkyServe.Controller.Persistence;

namespace SkyServe.Controller.Api;

/// <summary>
/// <c>GET /api/v1/services/{name}/events?follow=true</c> as server-sent events: the stored events after <c>?after=</c> (or the
/// <c>Last-Event-ID</c> a reconnecting browser sends), then each new one as it is written. New rows are read from the shared
/// database every <see cref="PollInterval"/>, so events written by any controller arrive; a comment line every
/// <see cref="KeepAlive"/> keeps proxies from closing an idle stream. Ends when the client goes, or the controller stops.
/// </summary>
public static class EventStream
{
    public const string ContentType = "text/event-stream";
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task WriteAsync(HttpContext http, ControllerDb db, long serviceId, long after, TimeProvider time)
    {
        if (long.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), out var resumed) && resumed > after)
            after = resumed;
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var both = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        var ct = both.Token;

        http.Response.ContentType = ContentType;
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once
        await http.Response.WriteAsync("retry: 2000\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        var quietSince = time.GetTimestamp();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var events = await db.ServiceEvents.AsNoTracking()
                    .Where(e => e.ServiceId == serviceId && e.Id > after).OrderBy(e => e.Id).Take(1000).ToListAsync(ct);
                foreach (var e in events)
                {
                    await http.Response.WriteAsync(
                        $"id: {e.Id}\nevent: service_event\ndata: {JsonSerializer.Serialize(e.ToView(), json)}\n\n", ct);
                    after = e.Id;
                }
                if (events.Count > 0)
                    quietSince = time.GetTimestamp();
                else if (time.GetElapsedTime(quietSince) >= KeepAlive)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    quietSince = time.GetTimestamp();
                }
                await http.Response.Body.FlushAsync(ct);
                if (events.Count < 1000)
                    await Task.Delay(PollInterval, time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client left, or the controller is stopping: the stream simply ends
        }
    }
}
