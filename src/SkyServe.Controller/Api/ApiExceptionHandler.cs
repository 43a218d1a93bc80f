using Microsoft.AspNetCore.Diagnostics;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Services;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Api;

/// <summary>
/// Turns every failure into RFC 7807 problem+json with the status it deserves. A database that is away is a 503
/// with Retry-After, logged through <see cref="DatabaseOutage"/> (once, not a stack trace per request).
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, DatabaseOutage outage, ILogger<ApiExceptionHandler> log) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait while the database is away: about how long the controller takes to notice its return.</summary>
    public const int DatabaseRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail, extensions) = exception switch
        {
            SpecValidationException e => (400, "Invalid service spec", e.Message, new Dictionary<string, object?>
            {
                ["errors"] = e.Errors.Select(x => new { path = x.Path, line = x.Line, column = x.Column, message = x.Message }).ToList(),
            }),
            InvalidRequestException e => (400, "Invalid request", e.Message, null),
            BadHttpRequestException e => (e.StatusCode, e.StatusCode switch
            {
                413 => "Request too large",
                415 => "Unsupported Media Type",
                _ => "Bad request",
            }, e.Message, null),
            ServiceNotFoundException e => (404, "Service not found", e.Message, null),
            ReplicaNotFoundException e => (404, "Replica not found", e.Message, null),
            ServiceConflictException e => (409, "Conflict", e.Message, null),
            ReplicaAgentException e => (e.Status, e.Title, e.Message, null),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => (499, "Client closed request", null, null),
            _ when DatabaseFailures.IsTransient(exception) => (503, "Database unavailable",
                $"the controller's database is unavailable ({DatabaseFailures.Cause(exception)}); retry later", null),
            _ => (500, "Internal error", "the controller failed to handle this request; see its log", (Dictionary<string, object?>?)null),
        };
        if (status == 503)
        {
            outage.Failed("API", exception);
            http.Response.Headers.RetryAfter = DatabaseRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status >= 500)
            log.RequestFailed(exception, http.Request.Method, http.Request.Path);
        http.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? [])
            problem.Extensions[key] = value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }
}

internal static partial class ApiExceptionHandlerLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "request {Method} {Path} failed")]
    public static partial void RequestFailed(this ILogger logger, Exception exception, string method, PathString path);
}
