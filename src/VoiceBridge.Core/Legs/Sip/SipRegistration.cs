using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.Legs.Sip;

/// <summary>Where a registration stands.</summary>
public enum SipRegistrationState
{
    NotRegistered,
    Registered,

    /// <summary>The last attempt failed; retrying with back-off (an earlier binding may still be live until <see cref="SipRegistrationStatus.ExpiresAt"/>).</summary>
    Failing,
}

/// <summary>A snapshot of the registration for logs, health and tests.</summary>
public sealed record SipRegistrationStatus(SipRegistrationState State, DateTimeOffset? ExpiresAt, string? LastError, int FailuresInARow, int Registrations);

/// <summary>
/// Keeps our Contact registered at a trunk's registrar (RFC 3261 10.2): REGISTER with a stable
/// Call-ID and From tag and an increasing CSeq, the registrar's 401/407 answered with digest
/// (SHA-256 when offered, else MD5), refreshed at half the granted lifetime, retried with
/// doubling back-off on failure, and removed (Expires: 0) when stopping. The credentials of the
/// last challenge are reused on a refresh (nc counting up), saving a round trip; a new challenge
/// to reused credentials is answered, one to credentials just computed is a refusal.
/// </summary>
internal sealed partial class SipRegistration
{
    private const int MaxRounds = 4;

    private readonly SipRegistrationOptions _options;
    private readonly SipUri _aor;
    private readonly string _hostPort;
    private readonly string _contact;
    private readonly Func<SipMessage, IPEndPoint, CancellationToken, Task<SipMessage>> _send;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _callId;
    private readonly string _fromTag;
    private long _cseq;
    private SipDigestChallenge? _challenge;
    private bool _proxyChallenge;
    private uint _nonceCount;

    /// <param name="send">Sends a request outside any dialog and returns its final response; a <see cref="TimeoutException"/> after timer F; cancellable.</param>
    public SipRegistration(SipRegistrationOptions options, string contactHostPort, Func<SipMessage, IPEndPoint, CancellationToken, Task<SipMessage>> send, TimeProvider time, ILogger logger)
    {
        _options = options;
        _aor = options.Uri;
        _hostPort = contactHostPort;
        _contact = $"<sip:{SipSyntax.Escape(_aor.User!, SipSyntax.IsUserChar)}@{contactHostPort};transport=udp>";
        _send = send;
        _time = time;
        _logger = logger;
        _callId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + "@" + contactHostPort.Split(':')[0].Trim('[', ']');
        _fromTag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _cseq = RandomNumberGenerator.GetInt32(1, 1 << 20);
    }

    public SipRegistrationStatus Status { get; private set; } = new(SipRegistrationState.NotRegistered, null, null, 0, 0);

    private string AddressOfRecord => $"sip:{SipSyntax.Escape(_aor.User!, SipSyntax.IsUserChar)}@{_aor.Host}";

    private string Registrar => _aor.Port is { } port ? $"{_aor.Host}:{port}" : _aor.Host;

    /// <summary>Registers, refreshes and retries until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = _options.RetryMin;
        try
        {
            while (true)
            {
                var (ok, granted, error) = await ExchangeAsync(_options.Expires, cancellationToken);
                if (ok && granted > TimeSpan.Zero)
                {
                    retry = _options.RetryMin;
                    var refresh = TimeSpan.FromSeconds(Math.Max(1, Math.Floor(granted.TotalSeconds / 2)));
                    Status = new(SipRegistrationState.Registered, _time.GetUtcNow() + granted, null, 0, Status.Registrations + 1);
                    Log.Registered(_logger, AddressOfRecord, Registrar, (int)granted.TotalSeconds, (int)refresh.TotalSeconds);
                    await Task.Delay(refresh, _time, cancellationToken);
                    continue;
                }

                error ??= "the registrar granted 0 s";
                var failures = Status.FailuresInARow + 1;
                var expiresAt = Status.ExpiresAt > _time.GetUtcNow() ? Status.ExpiresAt : null;
                Status = Status with { State = SipRegistrationState.Failing, LastError = error, FailuresInARow = failures, ExpiresAt = expiresAt };
                Log.Failed(_logger, AddressOfRecord, Registrar, error, (int)retry.TotalSeconds, failures);
                await Task.Delay(retry, _time, cancellationToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.RetryMax.Ticks));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Removes our binding (Expires: 0) when registered, waiting at most <see cref="SipRegistrationOptions.UnregisterTimeout"/>.</summary>
    public async Task UnregisterAsync()
    {
        if (Status.ExpiresAt is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_options.UnregisterTimeout, _time);
        try
        {
            var (ok, _, error) = await ExchangeAsync(TimeSpan.Zero, timeout.Token);
            if (ok)
            {
                Status = new(SipRegistrationState.NotRegistered, null, null, 0, Status.Registrations);
                Log.Unregistered(_logger, AddressOfRecord, Registrar);
                return;
            }

            Log.UnregisterFailed(_logger, AddressOfRecord, Registrar, error!);
        }
        catch (OperationCanceledException)
        {
            Log.UnregisterFailed(_logger, AddressOfRecord, Registrar, $"no answer within {_options.UnregisterTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>One REGISTER exchange, challenges included: success with the granted lifetime, or the reason it failed.</summary>
    private async Task<(bool Ok, TimeSpan Granted, string? Error)> ExchangeAsync(TimeSpan expires, CancellationToken cancellationToken)
    {
        IPEndPoint destination;
        try
        {
            destination = await ResolveAsync(cancellationToken);
        }
        catch (SocketException e)
        {
            return (false, TimeSpan.Zero, $"cannot resolve {_aor.Host}: {e.Message}");
        }

        var fresh = false;
        for (var round = 0; round < MaxRounds; round++)
        {
            SipMessage response;
            try
            {
                response = await _send(Build(expires), destination, cancellationToken);
            }
            catch (TimeoutException)
            {
                return (false, TimeSpan.Zero, $"no response from {destination} within 64*T1");
            }

            var status = response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return (true, Granted(response, expires), null);
            }

            if (status is 401 or 407)
            {
                var challenge = SipDigest.Choose(response.Headers.GetAll(status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate"), out var unusable);
                var refusal = challenge is null ? $"{status} with no challenge we can answer: {unusable}"
                    : _options.Password is null ? $"{status}: challenged, but no credentials are configured"
                    : fresh && !challenge.Stale ? $"{status} {response.ReasonPhrase}: the registrar refused our credentials"
                    : null;
                if (refusal is not null)
                {
                    _challenge = null;
                    return (false, TimeSpan.Zero, refusal);
                }

                _challenge = challenge;
                _proxyChallenge = status == 407;
                _nonceCount = 0;
                fresh = true;
                continue;
            }

            if (status == 423 && int.TryParse(response.Headers.Get("Min-Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var min) && min > expires.TotalSeconds)
            {
                // Interval Too Brief (10.2.8): ask again for what the registrar allows.
                expires = TimeSpan.FromSeconds(min);
                continue;
            }

            _challenge = null;
            return (false, TimeSpan.Zero, $"{status} {response.ReasonPhrase}");
        }

        _challenge = null;
        return (false, TimeSpan.Zero, $"still challenged after {MaxRounds} rounds");
    }

    private SipMessage Build(TimeSpan expires)
    {
        var requestUri = SipUri.Sip(null, _aor.Host, _aor.Port).ToString();
        var request = SipMessage.Request("REGISTER", requestUri);
        request.Headers.Add("Via", $"SIP/2.0/UDP {_hostPort};branch={SipEndpoint.NewBranch()};rport");
        request.Headers.Add("Max-Forwards", "70");
        request.Headers.Add("From", $"<{AddressOfRecord}>;tag={_fromTag}");
        request.Headers.Add("To", $"<{AddressOfRecord}>");
        request.Headers.Add("Call-ID", _callId);
        request.Headers.Add("CSeq", $"{++_cseq} REGISTER");
        request.Headers.Add("Contact", _contact);
        request.Headers.Add("Expires", ((long)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Allow", SipEndpoint.Allow);
        request.Headers.Add("User-Agent", SipEndpoint.UserAgent);
        if (_challenge is { } challenge)
        {
            var credentials = SipDigest.Answer(challenge, _options.Username ?? _aor.User!, _options.Password!, "REGISTER", requestUri, SipDigest.NewCnonce(), ++_nonceCount);
            request.Headers.Add(_proxyChallenge ? "Proxy-Authorization" : "Authorization", credentials.ToString());
        }

        return request;
    }

    /// <summary>What the registrar granted: our Contact's expires, else Expires, else what we asked for (10.2.4).</summary>
    private TimeSpan Granted(SipMessage response, TimeSpan asked)
    {
        SipUri.TryParse(_contact[1.._contact.IndexOf('>', StringComparison.Ordinal)], out var ours, out _);
        foreach (var contact in response.Contacts)
        {
            if (contact.Uri.Host.Equals(ours!.Host, StringComparison.OrdinalIgnoreCase) && contact.Uri.Port == ours.Port
                && SipParameters.TryGet<string?>(contact.Parameters, "expires", out var value) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }
        }

        return long.TryParse(response.Headers.Get("Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var header) ? TimeSpan.FromSeconds(header) : asked;
    }

    private async Task<IPEndPoint> ResolveAsync(CancellationToken cancellationToken)
    {
        var port = _aor.Port ?? 5060;
        if (IPAddress.TryParse(_aor.Host.Trim('[', ']'), out var literal))
        {
            return new IPEndPoint(literal, port);
        }

        // An A/AAAA lookup of the host (RFC 3263's NAPTR/SRV steps are not taken: give the registrar's host and port).
        var addresses = await Dns.GetHostAddressesAsync(_aor.Host, cancellationToken);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
        return new IPEndPoint(address, port);
    }
}
