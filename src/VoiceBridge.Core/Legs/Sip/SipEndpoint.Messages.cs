using System.Net;
using System.Security.Cryptography;

namespace VoiceBridge.Legs.Sip;

/// <summary>How the endpoint stamps, keys, answers and routes: Via, transaction keys, responses, tags and branches.</summary>
public sealed partial class SipEndpoint
{
    /// <summary>
    /// RFC 3261 18.2.1 and RFC 3581: the top Via gets <c>received</c> when the request came from
    /// another address than its sent-by, and <c>rport</c> the source port when asked; responses
    /// copy it, so they say where they were sent.
    /// </summary>
    private static void StampVia(SipMessage request, IPEndPoint from)
    {
        var vias = request.Vias;
        var top = vias[0];
        var source = from.Address.ToString();
        var stamped = top.HasRport ? top.WithRport(from.Port).WithReceived(source) : top.Host == source ? top : top.WithReceived(source);
        if (stamped == top)
        {
            return;
        }

        var rest = vias.Skip(1).ToList();
        request.Headers.Remove("Via");
        request.Headers.Add("Via", stamped.ToString());
        foreach (var via in rest)
        {
            request.Headers.Add("Via", via.ToString());
        }
    }

    /// <summary>A response with our Server header and, for a final response to a request outside a dialog, a To tag of ours (8.2.6.2).</summary>
    private static SipMessage CreateResponse(SipMessage request, int status, string reason, string? toTag = null)
    {
        if (toTag is null && status > 100 && request.Headers.Get("To") is { } to && !to.Contains(";tag=", StringComparison.OrdinalIgnoreCase))
        {
            toTag = NewTag();
        }

        var response = request.CreateResponse(status, reason, toTag);
        response.Headers.Set("Server", UserAgent);
        if (status == 405 || (status is >= 200 and < 300 && request.Method is "INVITE" or "OPTIONS"))
        {
            response.Headers.Set("Allow", Allow);
        }

        return response;
    }

    /// <summary>RFC 3261 18.2.2 with RFC 3581: to the source when <c>rport</c> was asked for, else to the Via's received/sent-by.</summary>
    private static IPEndPoint ResponseDestination(SipMessage request, IPEndPoint source)
    {
        var via = request.TopVia;
        if (via.HasRport)
        {
            return source;
        }

        var host = via.Received ?? via.Host;
        return IPAddress.TryParse(host.Trim('[', ']'), out var address)
            ? new IPEndPoint(address, via.Port ?? 5060)
            : source;
    }

    /// <summary>Server transactions by the top Via's branch and sent-by (17.2.3); CANCEL has its own transaction; ACK matches its INVITE.</summary>
    private static string TransactionKey(SipMessage request)
    {
        var via = request.TopVia;
        var method = request.Method == "ACK" ? "INVITE" : request.Method;
        return via.Branch is { } branch && branch.StartsWith("z9hG4bK", StringComparison.Ordinal)
            ? $"{branch}|{via.Host}:{via.Port}|{method}"
            : $"{request.CallId}|{request.From.Tag}|{request.CSeq.Number}|{method}|{via.Host}:{via.Port}";
    }

    private bool IsAllowedSource(IPEndPoint from) => _options.IsAllowed(from.Address);

    private static bool IsSupportedScheme(string requestUri) =>
        requestUri.StartsWith("sip:", StringComparison.OrdinalIgnoreCase)
        || requestUri.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)
        || requestUri.StartsWith("tel:", StringComparison.OrdinalIgnoreCase);

    private SipCall? FindCall(SipMessage request) =>
        _calls.TryGetValue(request.CallId, out var call) && call.RemoteTag == (request.From.Tag ?? "") && call.LocalTag == request.To.Tag ? call : null;

    /// <summary>
    /// RFC 3261 12.2.2: a request in the dialog whose CSeq is below the caller's last is out of order
    /// and answered 500; otherwise its CSeq becomes the caller's last. False when it was refused.
    /// </summary>
    private bool InSequence(SipServerTransaction transaction, SipCall call)
    {
        var cseq = transaction.Request.CSeq.Number;
        if (cseq < call.RemoteSequence)
        {
            Respond(transaction, 500, "Server Internal Error: CSeq out of order");
            return false;
        }

        call.RemoteSequence = cseq;
        return true;
    }

    internal static string NewTag() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    internal static string NewBranch() => "z9hG4bK" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
}
