using System.Net;

namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>An error answer: EC2's code and message, with the HTTP status EC2 sends it with.</summary>
public sealed class Ec2Fault(string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest) : Exception(message)
{
    public string Code { get; } = code;
    public HttpStatusCode Status { get; } = status;
}
