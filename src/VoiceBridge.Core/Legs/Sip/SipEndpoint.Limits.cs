using System.Net;
using Microsoft.Extensions.Logging;
using VoiceBridge.Operations;
using VoiceBridge.Security;

namespace VoiceBridge.Legs.Sip;

public sealed partial class SipEndpoint
{
    private SourceRateLimiter? _rate;

    /// <summary>
    /// Admission of new calls shared with the node's other legs (<c>--max-calls</c>,
    /// <c>--max-calls-per-source</c>) [none]. Set before <see cref="Start"/>.
    /// </summary>
    public CallLimits Limits { get; set; } = CallLimits.Unlimited;

    /// <summary>
    /// The per-source request rate (<see cref="SipOptions.RequestsPerSecondPerSource"/>): a source over
    /// it gets 503 with Retry-After (an ACK is dropped: it has no response), counted. True when the
    /// request may go on. Retransmissions are answered before this, so a lossy peer is not punished.
    /// </summary>
    private bool WithinRate(SipMessage request, IPEndPoint from)
    {
        if (_options.RequestsPerSecondPerSource <= 0)
        {
            return true;
        }

        _rate ??= new SourceRateLimiter(_options.RequestsPerSecondPerSource, _options.RequestBurstPerSource, _time);
        if (_rate.TryTake(from.Address))
        {
            return true;
        }

        Rejections.Count(Rejections.LimitSipRate);
        Log.RateLimited(_logger, request.Method, from.ToString(), _options.RequestsPerSecondPerSource);
        if (request.Method != "ACK")
        {
            var busy = CreateResponse(request, 503, "Service Unavailable");
            busy.Headers.Set("Retry-After", "5");
            _socket!.Send(busy.ToBytes(), ResponseDestination(request, from));
            Counters.Sent++;
        }

        return false;
    }

    /// <summary>
    /// Admits a new call under <see cref="Limits"/>: null after answering 503 (the node is full) or
    /// 486 Busy Here (this source has its share), else the lease the call holds until it ends.
    /// </summary>
    private CallLimits.Lease? Admit(SipServerTransaction transaction)
    {
        var lease = Limits.TryAdmit(transaction.Source.Address, out var refusal);
        if (lease is not null)
        {
            return lease;
        }

        Log.CallRefused(_logger, transaction.Request.CallId, transaction.Source.ToString(), Limits.Describe(refusal));
        var response = refusal == CallRefusal.NodeFull
            ? CreateResponse(transaction.Request, 503, "Service Unavailable")
            : CreateResponse(transaction.Request, 486, "Busy Here");
        response.Headers.Set("Retry-After", "30");
        Send(transaction, response);
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Warning, "SIP: refused {Method} from {From}: over {PerSecond} requests a second from one source (503)")]
        public static partial void RateLimited(ILogger logger, string method, string from, double perSecond);

        [LoggerMessage(102, LogLevel.Warning, "sip call {CallId}: refused from {From}: {Why}")]
        public static partial void CallRefused(ILogger logger, string callId, string from, string why);
    }
}
