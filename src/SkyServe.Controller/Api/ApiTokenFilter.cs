using Microsoft.Extensions.Options;
using SkyServe.Controller.Hosting;

namespace SkyServe.Controller.Api;

/// <summary>
/// Lets a request through when its bearer token is one the endpoint group accepts (see <see cref="ScopedTokens"/>);
/// otherwise 401 problem+json. Reads pass without a token when configuration opens them.
/// </summary>
public abstract class BearerTokenFilter(ScopedTokens tokens, IOptions<ControllerOptions> options) : IEndpointFilter
{
    protected ScopedTokens Tokens => tokens;

    /// <summary>Which credential this group needs, for the 401's detail.</summary>
    protected abstract string Needed { get; }

    protected abstract bool Accepts(string presented);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var isRead = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (isRead && options.Value.AllowAnonymousReads)
            return await next(context);
        if (ScopedTokens.Presented(request) is { } presented && Accepts(presented))
            return await next(context);
        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: $"send {Needed} as 'Authorization: Bearer <token>'");
    }
}

/// <summary>The service owner's API: the admin token only.</summary>
public sealed class ApiTokenFilter(ScopedTokens tokens, IOptions<ControllerOptions> options) : BearerTokenFilter(tokens, options)
{
    protected override string Needed => "the API token (skyserve local start prints it and writes it to the CLI config)";

    protected override bool Accepts(string presented) => Tokens.IsAdmin(presented);
}

/// <summary>The load balancer's endpoints: its own scoped token, or the admin token.</summary>
public sealed class LoadBalancerTokenFilter(ScopedTokens tokens, IOptions<ControllerOptions> options) : BearerTokenFilter(tokens, options)
{
    protected override string Needed => "the load balancer's token (GET /api/v1/tokens/load-balancer with the API token) or the API token";

    protected override bool Accepts(string presented) => Tokens.IsLoadBalancer(presented) || Tokens.IsAdmin(presented);
}

/// <summary>What a replica's machine fetches (the agent archive): any agent token this controller issued, or the admin token.</summary>
public sealed class AgentTokenFilter(ScopedTokens tokens, IOptions<ControllerOptions> options) : BearerTokenFilter(tokens, options)
{
    protected override string Needed => "a machine's agent token (its boot script holds it) or the API token";

    protected override bool Accepts(string presented) => Tokens.TryReadAgentToken(presented, out _) || Tokens.IsAdmin(presented);
}
