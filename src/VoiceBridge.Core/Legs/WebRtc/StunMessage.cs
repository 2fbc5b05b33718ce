using System.Net;
using System.Text;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// What <see cref="StunParser"/> read from one STUN datagram: the header and the attributes ICE
/// uses. Offsets point into the parsed datagram so integrity and fingerprint can be checked
/// against it afterwards. An instance can be parsed into again (the ICE agent keeps one), so a
/// steady stream of checks allocates nothing: the username is kept as bytes and turned into a
/// string only when asked for.
/// </summary>
public sealed class StunMessage
{
    /// <summary>The longest USERNAME accepted (RFC 8489 section 14.3: under 509 bytes).</summary>
    public const int MaxUsernameLength = 508;

    /// <summary>Unknown comprehension-required attribute types remembered, for a 420 answer.</summary>
    public const int MaxUnknownAttributes = 8;

    private readonly byte[] _transactionId = new byte[Stun.TransactionIdLength];
    private readonly ushort[] _unknown = new ushort[MaxUnknownAttributes];
    private byte[]? _username;
    private int _usernameLength = -1;
    private string? _usernameText;

    public ushort MessageType { get; private set; }

    public ushort Method => Stun.MethodOf(MessageType);

    public StunClass Class => Stun.ClassOf(MessageType);

    /// <summary>The whole message in bytes, header included (the datagram's length).</summary>
    public int Length { get; private set; }

    public ReadOnlySpan<byte> TransactionId => _transactionId;

    public bool HasUsername => _usernameLength >= 0;

    /// <summary>USERNAME's raw bytes (UTF-8); empty when absent.</summary>
    public ReadOnlySpan<byte> UsernameBytes => _usernameLength >= 0 ? _username.AsSpan(0, _usernameLength) : [];

    /// <summary>USERNAME decoded as UTF-8 (invalid sequences replaced); null when absent.</summary>
    public string? Username => _usernameLength < 0 ? null : _usernameText ??= Encoding.UTF8.GetString(UsernameBytes);

    /// <summary>PRIORITY (RFC 8445 section 16.1), the priority a peer-reflexive candidate would get.</summary>
    public uint? Priority { get; private set; }

    /// <summary>USE-CANDIDATE: the controlling agent nominates the pair this check travels on.</summary>
    public bool UseCandidate { get; private set; }

    /// <summary>ICE-CONTROLLING's tie-breaker: the sender believes it is the controlling agent.</summary>
    public ulong? IceControlling { get; private set; }

    /// <summary>ICE-CONTROLLED's tie-breaker: the sender believes it is the controlled agent.</summary>
    public ulong? IceControlled { get; private set; }

    /// <summary>Offset of the MESSAGE-INTEGRITY attribute's header in the datagram; -1 when absent.</summary>
    public int MessageIntegrityOffset { get; private set; } = -1;

    /// <summary>Offset of the FINGERPRINT attribute's header in the datagram; -1 when absent.</summary>
    public int FingerprintOffset { get; private set; } = -1;

    public bool HasFingerprint => FingerprintOffset >= 0;

    /// <summary>FINGERPRINT is present and its CRC matches the bytes before it.</summary>
    public bool FingerprintValid { get; private set; }

    /// <summary>XOR-MAPPED-ADDRESS decoded (responses only); null when absent.</summary>
    public IPEndPoint? XorMappedAddress { get; private set; }

    /// <summary>ERROR-CODE's number (300-699); null when absent.</summary>
    public int? ErrorCode { get; private set; }

    /// <summary>ERROR-CODE's reason phrase; null when absent.</summary>
    public string? ErrorReason { get; private set; }

    /// <summary>Comprehension-required attributes (type below 0x8000) this parser does not know, up to <see cref="MaxUnknownAttributes"/>.</summary>
    public ReadOnlySpan<ushort> UnknownRequiredAttributes => _unknown.AsSpan(0, UnknownRequiredCount);

    private int UnknownRequiredCount { get; set; }

    internal void Reset(ushort messageType, int length, ReadOnlySpan<byte> transactionId)
    {
        MessageType = messageType;
        Length = length;
        transactionId.CopyTo(_transactionId);
        _usernameLength = -1;
        _usernameText = null;
        Priority = null;
        UseCandidate = false;
        IceControlling = null;
        IceControlled = null;
        MessageIntegrityOffset = -1;
        FingerprintOffset = -1;
        FingerprintValid = false;
        XorMappedAddress = null;
        ErrorCode = null;
        ErrorReason = null;
        UnknownRequiredCount = 0;
    }

    internal void SetUsername(ReadOnlySpan<byte> value)
    {
        _username ??= new byte[MaxUsernameLength];
        value.CopyTo(_username);
        _usernameLength = value.Length;
        _usernameText = null;
    }

    internal void SetPriority(uint value) => Priority ??= value;

    internal void SetUseCandidate() => UseCandidate = true;

    internal void SetIceControlling(ulong value) => IceControlling ??= value;

    internal void SetIceControlled(ulong value) => IceControlled ??= value;

    internal void SetMessageIntegrity(int offset) => MessageIntegrityOffset = offset;

    internal void SetFingerprint(int offset, bool valid)
    {
        FingerprintOffset = offset;
        FingerprintValid = valid;
    }

    internal void SetXorMappedAddress(IPEndPoint value) => XorMappedAddress ??= value;

    internal void SetError(int code, string reason)
    {
        if (ErrorCode is null)
        {
            ErrorCode = code;
            ErrorReason = reason;
        }
    }

    internal void AddUnknownRequired(ushort type)
    {
        if (UnknownRequiredCount < MaxUnknownAttributes && !UnknownRequiredAttributes.Contains(type))
        {
            _unknown[UnknownRequiredCount++] = type;
        }
    }
}
