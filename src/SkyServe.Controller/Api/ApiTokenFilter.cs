using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SkyServe.Controller.Hosting;

namespace SkyServe.Controller.Api;

/// <summary>
/// Writes need the bearer API token; reads need it too unless configuration opens them.
/// </summary>
public sealed class ApiTokenFilter(IOptions<ControllerOptions> options) : IEndpointFilter
{
    private readonly byte[] token = Encoding.UTF8.GetBytes(options.Value.ApiToken
        ?? throw new InvalidOperationException("the API token must be resolved before the host starts"));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var isRead = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (isRead && options.Value.AllowAnonymousReads)
            return await next(context);
        if (!HasToken(request))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: "send the API token as 'Authorization: Bearer <token>' (skyserve local start prints it and writes it to the CLI config)");
        }
        return await next(context);
    }

    private bool HasToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return false;
        var given = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, token);
    }
}
