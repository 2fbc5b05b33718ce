using Microsoft.Extensions.Logging;
using VoiceBridge.Operations;

namespace VoiceBridge.Legs.Sip;

public sealed partial class SipEndpoint
{
    /// <summary>A wrong answer to our challenge gets one fresh challenge (the nonce may have been an old one); the next is refused 403.</summary>
    private const int MaxAuthFailures = 2;

    /// <summary>Bound on the failure table (entries are forgotten after 64*T1); past it, failures are challenged but not counted.</summary>
    private const int MaxAuthFailureEntries = 10_000;

    private readonly Dictionary<string, (int Count, long ForgetAtMs)> _authFailures = new(StringComparer.Ordinal);
    private SipDigestServer? _digest;

    /// <summary>
    /// Digest authentication of requests outside a dialog (RFC 3261 22.1) when <see cref="SipOptions.Digest"/>
    /// is set: no or stale credentials get 401 with SHA-256 and MD5 challenges; wrong ones a fresh
    /// 401 once, then 403. ACK and CANCEL cannot be challenged (22.1); requests in a dialog belong
    /// to a call that was authenticated when it was set up. True when the request may proceed.
    /// </summary>
    private bool Authorize(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (_digest is null || request.To.Tag is not null || request.Method is "ACK" or "CANCEL")
        {
            return true;
        }

        var verdict = _digest.Verify(request.Headers.GetAll("Authorization"), request.Method, request.RequestUri);
        var key = $"{request.CallId}|{request.From.Tag}";
        switch (verdict.Outcome)
        {
            case SipDigestOutcome.Accepted:
                _authFailures.Remove(key);
                return true;
            case SipDigestOutcome.Missing:
            case SipDigestOutcome.Stale:
                Challenge(transaction, stale: verdict.Outcome == SipDigestOutcome.Stale);
                return false;
        }

        var failures = (_authFailures.TryGetValue(key, out var seen) ? seen.Count : 0) + 1;
        var source = transaction.Source.ToString();
        if (failures >= MaxAuthFailures)
        {
            _authFailures.Remove(key);
            Rejections.Count(Rejections.SipDigest);
            Log.AuthRefused(_logger, request.Method, request.CallId, source, verdict.Reason!, failures);
            Respond(transaction, 403, "Forbidden");
            return false;
        }

        if (_authFailures.Count < MaxAuthFailureEntries || _authFailures.ContainsKey(key))
        {
            _authFailures[key] = (failures, NowMs + (64 * T1Ms));
        }

        Log.AuthFailed(_logger, request.Method, request.CallId, source, verdict.Reason!);
        Challenge(transaction, stale: false);
        return false;
    }

    private void Challenge(SipServerTransaction transaction, bool stale)
    {
        var response = CreateResponse(transaction.Request, 401, "Unauthorized");
        foreach (var challenge in _digest!.Challenges(stale))
        {
            response.Headers.Add("WWW-Authenticate", challenge);
        }

        Send(transaction, response);
    }

    private void ForgetAuthFailures(long now)
    {
        if (_authFailures.Count == 0)
        {
            return;
        }

        foreach (var key in _authFailures.Where(f => now >= f.Value.ForgetAtMs).Select(f => f.Key).ToList())
        {
            _authFailures.Remove(key);
        }
    }
}
