using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The server side of ICE for one browser session, as a lite agent (RFC 8445 sections 2.5 and
/// 7.3): it sends no checks of its own, answers the browser's Binding requests, and takes the pair
/// the browser nominates with USE-CANDIDATE. The browser keeps checking the selected pair every few
/// seconds for consent (RFC 7675); when those checks stop for <see cref="IceLiteOptions.ConsentTimeout"/>
/// the peer is gone, which <see cref="ConsentExpired"/> reports for the owner's tick to act on.
/// </summary>
/// <remarks>
/// Thread-safe: one receive loop calls <see cref="Handle"/>, anything may read the state. A check
/// answered after warm-up allocates nothing (the parsed message is reused, the username compared as
/// bytes, the response written into the caller's buffer).
/// </remarks>
public sealed partial class IceLiteAgent
{
    /// <summary>Shortest ice-ufrag (RFC 8839 section 5.4).</summary>
    public const int MinUfragLength = 4;

    /// <summary>Shortest ice-pwd (RFC 8839 section 5.4).</summary>
    public const int MinPasswordLength = 22;

    /// <summary>Longest ice-ufrag or ice-pwd (RFC 8839 section 5.4).</summary>
    public const int MaxCredentialLength = 256;

    /// <summary>The smallest response buffer <see cref="Handle"/> accepts.</summary>
    public const int MinResponseBuffer = StunWriter.MaxBindingResponseLength;

    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private readonly object _gate = new();
    private readonly StunMessage _message = new();
    private readonly byte[] _expectedUsername;
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan _consentTimeout;
    private readonly ILogger _logger;
    private IPEndPoint? _selected;
    private long _lastConsent;
    private long? _lastValidCheck;

    /// <summary>
    /// An agent for one session: our credentials (from our SDP answer) and the browser's (from its
    /// offer). Throws <see cref="ArgumentException"/> when a credential is not 4-256 (ufrag) or 22-256
    /// (password) ice-chars; check an offer's values with <see cref="IsValidUfrag"/> and
    /// <see cref="IsValidPassword"/> first. The remote password is only validated: a lite agent never
    /// sends a request it would key.
    /// </summary>
    public IceLiteAgent(string localUfrag, string localPassword, string remoteUfrag, string remotePassword, TimeProvider time, IceLiteOptions? options = null, ILogger? logger = null)
    {
        RequireCredential(IsValidUfrag(localUfrag), nameof(localUfrag), "ufrag", MinUfragLength);
        RequireCredential(IsValidPassword(localPassword), nameof(localPassword), "password", MinPasswordLength);
        RequireCredential(IsValidUfrag(remoteUfrag), nameof(remoteUfrag), "ufrag", MinUfragLength);
        RequireCredential(IsValidPassword(remotePassword), nameof(remotePassword), "password", MinPasswordLength);
        ArgumentNullException.ThrowIfNull(time);
        options ??= new IceLiteOptions();
        options.Validate();
        LocalUfrag = localUfrag;
        RemoteUfrag = remoteUfrag;
        _expectedUsername = Encoding.ASCII.GetBytes($"{localUfrag}:{remoteUfrag}");
        _key = Encoding.ASCII.GetBytes(localPassword);
        _time = time;
        _consentTimeout = options.ConsentTimeout;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised (on the thread calling <see cref="Handle"/>, outside the agent's lock) when the browser nominates a pair, with the browser's address; again if it later nominates another.</summary>
    public event Action<IPEndPoint>? Nominated;

    public string LocalUfrag { get; }

    public string RemoteUfrag { get; }

    public IceCounters Counters { get; } = new();

    /// <summary>The nominated pair's remote address: where media and DTLS go. Null until the browser nominates.</summary>
    public IPEndPoint? Selected
    {
        get
        {
            lock (_gate)
            {
                return _selected;
            }
        }
    }

    /// <summary>
    /// True when a pair is selected and no valid check has come from its address for the consent
    /// timeout (RFC 7675): stop sending and end the session. False before any nomination (a
    /// session the browser never completes needs its own set-up timeout, see <see cref="SinceLastValidCheck"/>).
    /// </summary>
    public bool ConsentExpired
    {
        get
        {
            lock (_gate)
            {
                return _selected is not null && _time.GetElapsedTime(_lastConsent) >= _consentTimeout;
            }
        }
    }

    /// <summary>Time since the last authenticated check from any address; null before the first.</summary>
    public TimeSpan? SinceLastValidCheck
    {
        get
        {
            lock (_gate)
            {
                return _lastValidCheck is { } at ? _time.GetElapsedTime(at) : null;
            }
        }
    }

    /// <summary>Fresh credentials for an SDP answer: an 8-character ufrag (48 bits) and a 24-character password (144 bits), from a CSPRNG, beyond RFC 8445's 24 and 128 bits.</summary>
    public static (string Ufrag, string Password) NewCredentials() =>
        (RandomNumberGenerator.GetString(IceChars, 8), RandomNumberGenerator.GetString(IceChars, 24));

    /// <summary>4 to 256 ice-chars (ALPHA / DIGIT / "+" / "/").</summary>
    public static bool IsValidUfrag(string? value) => IsIceChars(value, MinUfragLength);

    /// <summary>22 to 256 ice-chars (ALPHA / DIGIT / "+" / "/").</summary>
    public static bool IsValidPassword(string? value) => IsIceChars(value, MinPasswordLength);

    /// <summary>
    /// Handles one STUN datagram from <paramref name="from"/> and writes the answer, if any, into
    /// <paramref name="response"/> (at least <see cref="MinResponseBuffer"/> bytes). Returns the
    /// answer's length; 0 means send nothing. Never throws on what the datagram holds:
    /// <list type="bullet">
    /// <item>malformed, not a request, no or a wrong FINGERPRINT, a method other than Binding: dropped and counted;</item>
    /// <item>no USERNAME or MESSAGE-INTEGRITY: 400; USERNAME not "ourUfrag:theirUfrag" or integrity failing under our password: 401 (RFC 8489 section 9.1.3, without MESSAGE-INTEGRITY);</item>
    /// <item>authenticated but with unknown comprehension-required attributes: 420; claiming the controlled role as we do: 487;</item>
    /// <item>otherwise a success with XOR-MAPPED-ADDRESS = <paramref name="from"/>; with USE-CANDIDATE it nominates <paramref name="from"/>.</item>
    /// </list>
    /// </summary>
    public int Handle(ReadOnlySpan<byte> datagram, IPEndPoint from, Span<byte> response)
    {
        ArgumentNullException.ThrowIfNull(from);
        if (response.Length < MinResponseBuffer)
        {
            throw new ArgumentException($"the response buffer must hold {MinResponseBuffer} bytes, not {response.Length}", nameof(response));
        }

        int written;
        bool nominated;
        lock (_gate)
        {
            written = HandleLocked(datagram, from, response, out nominated);
        }

        if (nominated)
        {
            Log.Nominated(_logger, LocalUfrag, from);
            Nominated?.Invoke(from);
        }

        return written;
    }

    private int HandleLocked(ReadOnlySpan<byte> datagram, IPEndPoint from, Span<byte> response, out bool nominated)
    {
        nominated = false;
        Counters.Received++;
        StunParseStatus status = StunParser.Parse(datagram, _message, out string? error);
        if (status != StunParseStatus.Ok)
        {
            Counters.Malformed++;
            Log.Dropped(_logger, LocalUfrag, from, error ?? status.ToString());
            return 0;
        }

        StunMessage m = _message;
        if (m.Class != StunClass.Request)
        {
            if (m.Class == StunClass.Indication)
            {
                Counters.Indications++;
            }
            else
            {
                Counters.StrayResponses++;
            }

            return 0;
        }

        Counters.Requests++;
        if (!m.FingerprintValid)
        {
            Counters.BadFingerprint++;
            Log.Dropped(_logger, LocalUfrag, from, m.HasFingerprint ? "FINGERPRINT does not match" : "no FINGERPRINT");
            return 0;
        }

        if (m.Method != Stun.BindingMethod)
        {
            Counters.UnsupportedMethod++;
            Log.Dropped(_logger, LocalUfrag, from, "not a Binding request");
            return 0;
        }

        return Check(datagram, from, response, m, out nominated);
    }

    /// <summary>Authenticates a Binding request (RFC 8489 section 9.1.3) and answers it (RFC 8445 section 7.3).</summary>
    private int Check(ReadOnlySpan<byte> datagram, IPEndPoint from, Span<byte> response, StunMessage m, out bool nominated)
    {
        nominated = false;
        if (!m.HasUsername || m.MessageIntegrityOffset < 0)
        {
            Counters.MissingCredentials++;
            return Reject(response, m, from, 400, "Bad Request", []);
        }

        if (!m.UsernameBytes.SequenceEqual(_expectedUsername))
        {
            Counters.WrongUsername++;
            return Reject(response, m, from, 401, "Unauthorized", []);
        }

        if (!StunParser.VerifyIntegrity(datagram, m, _key))
        {
            Counters.BadIntegrity++;
            return Reject(response, m, from, 401, "Unauthorized", []);
        }

        if (!m.UnknownRequiredAttributes.IsEmpty)
        {
            Counters.UnknownAttributes++;
            return Reject(response, m, from, 420, "Unknown Attribute", _key);
        }

        if (m.IceControlled is not null && m.IceControlling is null)
        {
            Counters.RoleConflicts++;
            return Reject(response, m, from, 487, "Role Conflict", _key);
        }

        long now = _time.GetTimestamp();
        _lastValidCheck = now;
        if (from.Equals(_selected))
        {
            _lastConsent = now;
        }
        else if (m.UseCandidate)
        {
            _selected = from;
            _lastConsent = now;
            Counters.Nominations++;
            nominated = true;
        }

        Counters.Answered++;
        return StunWriter.WriteBindingSuccess(response, m.TransactionId, from, _key);
    }

    private int Reject(Span<byte> response, StunMessage m, IPEndPoint from, int code, string reason, ReadOnlySpan<byte> key)
    {
        Counters.ErrorResponses++;
        Log.Rejected(_logger, LocalUfrag, from, code, reason);
        return StunWriter.WriteBindingError(response, m.TransactionId, code, reason, key, code == 420 ? m.UnknownRequiredAttributes : []);
    }

    private static bool IsIceChars(string? value, int minLength) =>
        value is not null && value.Length >= minLength && value.Length <= MaxCredentialLength && !value.AsSpan().ContainsAnyExcept(IceChars);

    private static void RequireCredential(bool valid, string name, string kind, int minLength)
    {
        if (!valid)
        {
            throw new ArgumentException($"an ICE {kind} is {minLength}-{MaxCredentialLength} characters of A-Z a-z 0-9 + /", name);
        }
    }
}
