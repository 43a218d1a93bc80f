using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SkyServe.Core.Hosting;

namespace SkyServe.Providers.Gcp;

/// <summary>
/// The few Compute Engine API v1 calls the provider makes, over plain HTTP with an OAuth bearer token
/// (no Compute client library is on the package mirror). 429, 5xx, rate-limit 403s and connection failures
/// are retried with back-off; every insert carries a requestId, so retrying it cannot create a second VM.
/// Other failures become <see cref="GceApiException"/>; retryable ones that outlast every attempt, <see cref="HttpRequestException"/>.
/// </summary>
internal sealed class GceClient(HttpClient http, GcpProviderOptions options, Func<CancellationToken, Task<string>> accessToken,
    TimeProvider time, ILogger log)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string Project => Uri.EscapeDataString(options.Project);

    public async Task<GceOperation> InsertInstanceAsync(string zone, JsonObject instance, Guid requestId, CancellationToken ct) =>
        (await SendAsync<GceOperation>(HttpMethod.Post, $"projects/{Project}/zones/{Esc(zone)}/instances?requestId={requestId}", instance, ct))!;

    /// <summary>The instance, or null when it does not exist.</summary>
    public Task<GceInstance?> GetInstanceAsync(string zone, string name, CancellationToken ct) =>
        SendAsync<GceInstance>(HttpMethod.Get, $"projects/{Project}/zones/{Esc(zone)}/instances/{Esc(name)}", null, ct, notFoundIsNull: true);

    /// <summary>The delete operation, or null when the instance does not exist.</summary>
    public Task<GceOperation?> DeleteInstanceAsync(string zone, string name, Guid requestId, CancellationToken ct) =>
        SendAsync<GceOperation>(HttpMethod.Delete, $"projects/{Project}/zones/{Esc(zone)}/instances/{Esc(name)}?requestId={requestId}", null, ct, notFoundIsNull: true);

    /// <summary>Waits for a zone operation to be DONE with operations.wait (which itself returns after at most two minutes).</summary>
    public async Task<GceOperation> WaitAsync(string zone, GceOperation operation, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(options.OperationTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            while (!operation.IsDone)
                operation = (await SendAsync<GceOperation>(HttpMethod.Post,
                    $"projects/{Project}/zones/{Esc(zone)}/operations/{Esc(operation.Name!)}/wait", null, linked.Token))!;
            return operation;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"zone operation {operation.Name} in {zone} did not finish within {options.OperationTimeout}");
        }
    }

    public IAsyncEnumerable<GceInstance> AggregatedInstancesAsync(string filter, CancellationToken ct) =>
        AggregatedAsync<GceInstancesScopedList, GceInstance>("instances", filter, s => s.Instances, ct);

    public IAsyncEnumerable<GceOperation> AggregatedOperationsAsync(string filter, CancellationToken ct) =>
        AggregatedAsync<GceOperationsScopedList, GceOperation>("operations", filter, s => s.Operations, ct);

    /// <summary>aggregatedList over every zone, following nextPageToken to the end.</summary>
    private async IAsyncEnumerable<TItem> AggregatedAsync<TScoped, TItem>(string collection, string filter, Func<TScoped, List<TItem>?> items,
        [EnumeratorCancellation] CancellationToken ct)
    {
        string? pageToken = null;
        do
        {
            var query = $"projects/{Project}/aggregated/{collection}?maxResults={options.PageSize}&returnPartialSuccess=true";
            if (filter.Length > 0)
                query += $"&filter={Uri.EscapeDataString(filter)}";
            if (pageToken is not null)
                query += $"&pageToken={Uri.EscapeDataString(pageToken)}";
            var page = await SendAsync<GceAggregatedList<TScoped>>(HttpMethod.Get, query, null, ct);
            foreach (var scoped in page?.Items?.Values ?? Enumerable.Empty<TScoped>())
                foreach (var item in items(scoped) ?? [])
                    yield return item;
            pageToken = string.IsNullOrEmpty(page?.NextPageToken) ? null : page.NextPageToken;
        } while (pageToken is not null);
    }

    private async Task<T?> SendAsync<T>(HttpMethod method, string relative, JsonObject? body, CancellationToken ct, bool notFoundIsNull = false)
        where T : class
    {
        var uri = new Uri(options.ComputeEndpoint, relative);
        var backoff = new Backoff(options.RetryDelay, TimeSpan.MaxValue); // no cap: MaxAttempts bounds it
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string failure;
            try
            {
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await accessToken(ct));
                if (body is not null)
                    request.Content = JsonContent.Create(body, options: Json);
                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                    return await response.Content.ReadFromJsonAsync<T>(Json, ct);
                if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
                    return null;
                var error = await ReadErrorAsync(response, ct);
                if (!IsRetryable(error))
                    throw error;
                if (attempt >= options.MaxAttempts)
                    // Still throttled or failing after every attempt: a transient failure, not a typed one; the caller retries later.
                    throw new HttpRequestException($"{error.Message} (after {attempt} attempts)", error, error.Status);
                retryAfter = response.Headers.RetryAfter?.Delta;
                failure = error.Message;
            }
            catch (HttpRequestException e) when (attempt < options.MaxAttempts && !ct.IsCancellationRequested)
            {
                failure = e.Message;
            }
            var delay = retryAfter ?? backoff.DelayAfter(attempt);
            log.GceCallRetrying(method, uri.AbsolutePath, attempt, options.MaxAttempts, failure, delay);
            await Task.Delay(delay, time, ct);
        }
    }

    private static bool IsRetryable(GceApiException error) =>
        error.Status is HttpStatusCode.TooManyRequests || (int)error.Status >= 500
        || (error.Status == HttpStatusCode.Forbidden && error.Reason is "rateLimitExceeded" or "userRateLimitExceeded");

    private static async Task<GceApiException> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        GceErrorBody? error = null;
        try
        {
            error = JsonSerializer.Deserialize<GceErrorResponse>(text, Json)?.Error;
        }
        catch (JsonException)
        {
        }
        var reason = error?.Errors?.FirstOrDefault()?.Reason;
        var message = error?.Message ?? (text.Length > 0 ? text[..Math.Min(text.Length, 500)] : response.ReasonPhrase ?? "no message");
        return new GceApiException(response.StatusCode, reason, message);
    }

    private static string Esc(string segment) => Uri.EscapeDataString(segment);
}

internal static partial class GceClientLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "GCE {Method} {Uri} failed (attempt {Attempt} of {Max}): {Failure}; retrying in {Delay}")]
    public static partial void GceCallRetrying(this ILogger logger, HttpMethod method, string uri, int attempt, int max, string failure, TimeSpan delay);
}
