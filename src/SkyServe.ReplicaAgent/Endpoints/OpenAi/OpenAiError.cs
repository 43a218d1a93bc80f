namespace SkyServe.ReplicaAgent.Endpoints.OpenAi;

/// <summary>A request the OpenAI API refuses, answered in OpenAI's error shape.</summary>
public sealed class OpenAiError(int status, string message, string? param = null, string? code = null, string type = "invalid_request_error")
    : Exception(message)
{
    public int Status { get; } = status;

    public IResult ToResult() => Results.Json(new { error = new { message = Message, type, param, code } }, statusCode: Status);
}
