using System.Text.Json.Serialization;

namespace SkyServe.Providers.Gcp;

// The parts of Compute Engine API v1 resources this provider reads (https://cloud.google.com/compute/docs/reference/rest/v1).
// Requests are built as JSON objects by GceInstanceRequest; 64-bit numbers travel as strings, as the API sends them.

internal sealed record GceInstance
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Zone { get; init; }
    public string? MachineType { get; init; }
    public string? Status { get; init; }
    public string? CreationTimestamp { get; init; }
    public string? LastStopTimestamp { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
    public GceMetadata? Metadata { get; init; }
    public List<GceNetworkInterface>? NetworkInterfaces { get; init; }
    public GceScheduling? Scheduling { get; init; }
}

internal sealed record GceMetadata
{
    public List<GceMetadataItem>? Items { get; init; }
}

internal sealed record GceMetadataItem(string Key, string? Value);

internal sealed record GceNetworkInterface
{
    public string? NetworkIP { get; init; }
}

internal sealed record GceScheduling
{
    public string? ProvisioningModel { get; init; }
    public bool? Preemptible { get; init; }
}

internal sealed record GceOperation
{
    public string? Name { get; init; }
    public string? Zone { get; init; }
    public string? OperationType { get; init; }
    public string? TargetLink { get; init; }
    public string? Status { get; init; }
    public string? InsertTime { get; init; }
    public GceOperationError? Error { get; init; }
    public int? HttpErrorStatusCode { get; init; }
    public string? HttpErrorMessage { get; init; }

    [JsonIgnore]
    public bool IsDone => Status == "DONE";
}

internal sealed record GceOperationError
{
    public List<GceOperationErrorItem>? Errors { get; init; }
}

internal sealed record GceOperationErrorItem(string? Code, string? Message);

internal sealed record GceAggregatedList<T>
{
    public Dictionary<string, T>? Items { get; init; }
    public string? NextPageToken { get; init; }
}

internal sealed record GceInstancesScopedList
{
    public List<GceInstance>? Instances { get; init; }
}

internal sealed record GceOperationsScopedList
{
    public List<GceOperation>? Operations { get; init; }
}

/// <summary>The body of a failed call: <c>{"error":{"code":..,"message":..,"errors":[{"reason":..,"message":..,"domain":..}]}}</c>.</summary>
internal sealed record GceErrorResponse
{
    public GceErrorBody? Error { get; init; }
}

internal sealed record GceErrorBody
{
    public int Code { get; init; }
    public string? Message { get; init; }
    public List<GceErrorDetail>? Errors { get; init; }
}

internal sealed record GceErrorDetail(string? Reason, string? Message, string? Domain);
