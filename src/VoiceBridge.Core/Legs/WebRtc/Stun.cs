namespace VoiceBridge.Legs.WebRtc;

/// <summary>The STUN message class: the two class bits spread over the message type (RFC 8489 section 5).</summary>
public enum StunClass
{
    Request = 0,
    Indication = 1,
    SuccessResponse = 2,
    ErrorResponse = 3,
}

/// <summary>STUN methods, attribute types and fixed values used by ICE (RFC 8489, RFC 8445, IANA registry).</summary>
public static class Stun
{
    public const uint MagicCookie = 0x2112A442;

    public const int HeaderLength = 20;

    public const int TransactionIdLength = 12;

    public const ushort BindingMethod = 0x001;

    /// <summary>XORed into the CRC-32 of FINGERPRINT so it differs from a CRC other protocols carry (RFC 8489 section 14.7).</summary>
    public const uint FingerprintXor = 0x5354554E;

    public const ushort MappedAddress = 0x0001;
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort UnknownAttributes = 0x000A;
    public const ushort Realm = 0x0014;
    public const ushort Nonce = 0x0015;
    public const ushort MessageIntegritySha256 = 0x001C;
    public const ushort PasswordAlgorithm = 0x001D;
    public const ushort UserHash = 0x001E;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Priority = 0x0024;
    public const ushort UseCandidate = 0x0025;
    public const ushort Software = 0x8022;
    public const ushort AlternateServer = 0x8023;
    public const ushort Fingerprint = 0x8028;
    public const ushort IceControlled = 0x8029;
    public const ushort IceControlling = 0x802A;

    /// <summary>Chromium's network id and cost, comprehension-optional (ignored).</summary>
    public const ushort GoogNetworkInfo = 0xC057;

    /// <summary>The message type of <paramref name="method"/> in <paramref name="stunClass"/> (RFC 8489 figure 3).</summary>
    public static ushort MessageType(ushort method, StunClass stunClass)
    {
        int c = (int)stunClass;
        return (ushort)((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
    }

    /// <summary>The method bits of a message type.</summary>
    public static ushort MethodOf(ushort messageType) =>
        (ushort)((messageType & 0x000F) | ((messageType & 0x00E0) >> 1) | ((messageType & 0x3E00) >> 2));

    /// <summary>The class bits of a message type.</summary>
    public static StunClass ClassOf(ushort messageType) =>
        (StunClass)(((messageType >> 4) & 1) | ((messageType >> 7) & 2));
}
