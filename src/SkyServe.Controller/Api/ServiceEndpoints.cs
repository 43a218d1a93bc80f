using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Services;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Api;

/// <summary>
/// The service owner's REST API under /api/v1 (DESIGN.md section 3). Views of a spec show its envs' names with
/// <see cref="Core.Spec.SpecSecrets.Redacted"/> values unless the request asks for <c>?show_secrets=true</c>.
/// </summary>
public static class ServiceEndpoints
{
    /// <summary>The query flag that reveals env values (any holder of the API token may ask).</summary>
    public const string ShowSecrets = "show_secrets";

    /// <summary>Services a list page holds unless ?limit= says otherwise, and the most it may ask for.</summary>
    public const int DefaultListLimit = 100, MaxListLimit = 1000;

    public static RouteGroupBuilder MapServiceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").AddEndpointFilter<ApiTokenFilter>().WithTags("services");

        api.MapPost("/services", CreateAsync)
            .Accepts<string>(SpecBody.MediaTypes[0], SpecBody.MediaTypes[1..])
            .Produces<ServiceDetailView>(StatusCodes.Status201Created)
            .WithSummary("Create a service from a YAML or JSON spec; ?name= overrides the spec's name; ?show_secrets=true shows env values.");
        api.MapGet("/services", ListAsync).WithSummary(
            $"List services by name, {DefaultListLimit} a page (?limit=N, at most {MaxListLimit}); a Link header's rel=\"next\" gives the next page (?cursor=).");
        api.MapGet("/summary", async (ControllerDb db, OnDemandPrices onDemand, RequestRates rates, TimeProvider time, CancellationToken ct) =>
                Results.Ok(await FleetSummary.ReadAsync(db, await onDemand.LookupAsync(ct), await rates.RequestsPerSecondByServiceAsync(db, ct),
                    time.GetUtcNow().UtcDateTime, ct)))
            .WithSummary("The fleet: services, replicas by market, cost so far and per hour, and the saving against the same replica-hours on demand.");
        api.MapGet("/services/{name}", GetAsync).WithSummary(
            "A service: spec, versions, status, endpoint and replicas (?all=true: finished ones too); env values show only with ?show_secrets=true.");
        api.MapPut("/services/{name}", UpdateAsync)
            .Accepts<string>(SpecBody.MediaTypes[0], SpecBody.MediaTypes[1..])
            .WithSummary("Submit a new version; ?mode=rolling (default) or blue_green; ?show_secrets=true shows env values.");
        api.MapDelete("/services/{name}", DeleteAsync).WithSummary("Tear a service down; ?purge=true removes its records at once.");
        api.MapGet("/services/{name}/replicas", ReplicasAsync).WithSummary("The service's replicas; ?all=true adds finished (failed, preempted) ones.");
        api.MapDelete("/services/{name}/replicas/{replicaId:int}", TerminateReplicaAsync).WithSummary("Terminate one replica.");
        api.MapGet("/services/{name}/events", EventsAsync)
            .WithSummary("Status transitions, oldest first; ?after=ID returns only newer ones, ?limit=N caps the count; "
                + "?follow=true streams them as server-sent events (the stored ones, then each new one as it is written).");
        api.MapReplicaLogs();
        api.MapLocations();
        api.MapBlobUploads();
        return api;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, ServiceStore store, ControllerDb db, OnDemandPrices onDemand, RequestRates rates, string? name,
        [FromQuery(Name = ShowSecrets)] bool? showSecrets, TimeProvider time, CancellationToken ct)
    {
        var service = await store.CreateAsync(name, await SpecBody.ReadSubmissionAsync(request, ct), ct);
        return Results.Created($"/api/v1/services/{service.Name}", await DetailAsync(db, onDemand, rates, service, showSecrets ?? false, time, ct));
    }

    private static async Task<IResult> ListAsync(HttpContext http, int? limit, string? cursor, ControllerDb db, CancellationToken ct)
    {
        if (limit is < 1 or > MaxListLimit)
            throw new InvalidRequestException($"limit must be between 1 and {MaxListLimit}");
        var pageSize = limit ?? DefaultListLimit;
        var (items, more) = await ServiceListPage.ReadAsync(db, ServiceListCursor.Decode(cursor), pageSize, ct);
        if (more)
            NextPageLink.Set(http, pageSize, ServiceListCursor.Encode(items[^1].Name));
        return Results.Ok(items); // still a bare array: clients that predate paging read the first page as before
    }

    private static async Task<IResult> GetAsync(string name, bool? all, [FromQuery(Name = ShowSecrets)] bool? showSecrets,
        ServiceStore store, ControllerDb db, OnDemandPrices onDemand, RequestRates rates, TimeProvider time, CancellationToken ct) =>
        Results.Ok(await DetailAsync(db, onDemand, rates, await store.FindAsync(name, ct), showSecrets ?? false, time, ct, all ?? false));

    private static async Task<IResult> UpdateAsync(string name, string? mode, [FromQuery(Name = ShowSecrets)] bool? showSecrets,
        HttpRequest request, ServiceStore store, ControllerDb db, OnDemandPrices onDemand, RequestRates rates, TimeProvider time, CancellationToken ct)
    {
        if (!UpdateModeNames.TryParse(mode, out var updateMode))
            throw new InvalidRequestException($"unknown update mode '{mode}': use {UpdateModeNames.Rolling} or {UpdateModeNames.BlueGreen}");
        var service = await store.UpdateAsync(name, await SpecBody.ReadSubmissionAsync(request, ct), updateMode, ct);
        return Results.Ok(await DetailAsync(db, onDemand, rates, service, showSecrets ?? false, time, ct));
    }

    private static async Task<IResult> DeleteAsync(string name, bool? purge, ServiceStore store, CancellationToken ct)
    {
        var deleted = await store.DeleteAsync(name, purge ?? false, ct);
        return deleted
            ? Results.Ok(new DeleteResultView(name, true, "DELETED"))
            : Results.Accepted($"/api/v1/services/{name}", new DeleteResultView(name, false, nameof(ServiceStatus.SHUTTING_DOWN)));
    }

    private static async Task<IResult> ReplicasAsync(string name, bool? all, ServiceStore store, ControllerDb db, TimeProvider time, CancellationToken ct)
    {
        var service = await store.FindAsync(name, ct);
        var replicas = await ReplicasOfAsync(db, service, ct);
        var now = time.GetUtcNow().UtcDateTime;
        return Results.Ok(replicas.Where(r => all == true || !r.Status.IsFinished()).Select(r => r.ToView(now)));
    }

    private static async Task<IResult> TerminateReplicaAsync(string name, int replicaId, ServiceStore store, TimeProvider time, CancellationToken ct) =>
        Results.Accepted($"/api/v1/services/{name}/replicas", (await store.TerminateReplicaAsync(name, replicaId, ct)).ToView(time.GetUtcNow().UtcDateTime));

    private static async Task<IResult> EventsAsync(HttpContext http, string name, long? after, int? limit, bool? follow, ServiceStore store,
        ControllerDb db, TimeProvider time, CancellationToken ct)
    {
        if (limit is < 1 or > 10_000)
            throw new InvalidRequestException("limit must be between 1 and 10000");
        var service = await store.FindAsync(name, ct);
        if (follow == true)
        {
            await EventStream.WriteAsync(http, db, service.Id, after ?? 0, time);
            return Results.Empty;
        }
        var events = await db.ServiceEvents.AsNoTracking()
            .Where(e => e.ServiceId == service.Id && e.Id > (after ?? 0))
            .OrderBy(e => e.Id).Take(limit ?? 1000).ToListAsync(ct);
        return Results.Ok(events.Select(e => e.ToView()));
    }

    /// <param name="all">Also list finished replicas (their cost counts either way).</param>
    private static async Task<ServiceDetailView> DetailAsync(ControllerDb db, OnDemandPrices onDemand, RequestRates rates, ServiceRecord service, bool showSecrets,
        TimeProvider time, CancellationToken ct, bool all = false)
    {
        var versions = await db.ServiceVersions.AsNoTracking().Where(v => v.ServiceId == service.Id).OrderBy(v => v.Version).ToListAsync(ct);
        var prices = await onDemand.LookupAsync(ct);
        var rate = await rates.RequestsPerSecondAsync(db, service.Id, ct);
        return service.ToDetail(versions, await ReplicasOfAsync(db, service, ct), showSecrets, time.GetUtcNow().UtcDateTime, prices, rate, all);
    }

    private static Task<List<ReplicaRecord>> ReplicasOfAsync(ControllerDb db, ServiceRecord service, CancellationToken ct) =>
        db.Replicas.AsNoTracking().Where(r => r.ServiceId == service.Id).OrderBy(r => r.ReplicaId).ToListAsync(ct);
}
